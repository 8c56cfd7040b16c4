"""scripts/publish_results.py: a report becomes a results page with its stamp, or is refused without one."""

import importlib.util
from pathlib import Path

import pytest

from ganlip.compare.report import markdown

SCRIPT = Path(__file__).parents[1] / "scripts" / "publish_results.py"
spec = importlib.util.spec_from_file_location("publish_results", SCRIPT)
publish = importlib.util.module_from_spec(spec)
spec.loader.exec_module(publish)


def test_a_report_keeps_its_stamp_and_names_where_its_figures_are(tmp_path):
    (tmp_path / "report.md").write_text(markdown([], "ganlip compare --out runs/x") + "\n![Quality](figures/q.png)\n")
    page = publish.results_page(tmp_path)
    assert "Command: `ganlip compare --out runs/x`" in page and "Written " in page
    assert "torch " in page.split("Machine: ", 1)[1].splitlines()[0]
    assert f"*Figure: Quality, `{tmp_path / 'figures/q.png'}` of that run.*" in page and "![" not in page


@pytest.mark.parametrize("kept", ["Command", "Machine", "Written"])
def test_a_report_missing_any_part_of_its_stamp_is_refused(tmp_path, kept):
    """Each part alone is not enough: the command, the machine with its torch version and the date are all needed."""
    stamp = [line for line in markdown([], "ganlip compare").splitlines() if line.startswith(kept)]
    (tmp_path / "report.md").write_text("# a table someone pasted\n" + "\n".join(stamp) + "\n")
    with pytest.raises(SystemExit, match="lacks its stamp"):
        publish.results_page(tmp_path)
