"""The tables of the README and the docs pages (data sets, strategies, architectures, metrics) say what the
registries hold."""

import re
from pathlib import Path

from ganlip.constraints import available
from ganlip.data import available_data
from ganlip.models import available_critics, available_models
from ganlip.models.registry import critic_parameter_counts, parameter_counts

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def table_rows(heading: str, page: str = "README.md") -> list[list[str]]:
    """The cells of the first table under `heading` on `page`, without its header and rule."""
    section = ("\n" + (ROOT / page).read_text()).split(f"\n{heading}\n", 1)[1]
    lines = re.search(r"((?:^\|.*\n)+)", section, re.MULTILINE).group(1).splitlines()
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_data_table_names_every_data_set():
    listed = [name for row in table_rows("## Data", "docs/training.md") for name in names(row[0])]
    assert sorted(listed) == sorted(available_data())


def test_the_strategy_table_names_every_strategy():
    listed = [name for row in table_rows("## Strategies") for name in names(row[0])]
    assert sorted(listed) == sorted(available())


def test_the_model_table_gives_every_architectures_parameter_counts():
    rows = {
        (names(row[0])[0], row[1]): (row[2], row[3]) for row in table_rows("# Models and recipes", "docs/models.md")
    }
    expected = {
        (name, str(resolution or "2-D")): (f"{g:,}", f"{d:,}")
        for name in available_models()
        for resolution, g, d in parameter_counts(name)
    } | {
        (name, str(resolution or "2-D")): ("—", f"{d:,}")
        for name in available_critics()
        for resolution, d in critic_parameter_counts(name)
    }
    assert rows == expected


def test_the_metrics_page_has_a_row_per_registered_metric():
    from ganlip.metrics.registry import available_metrics, metric

    rows = {names(cells[0])[0]: cells for cells in table_rows("## Scores", "docs/metrics.md")}
    assert sorted(rows) == sorted(available_metrics())
    for name, cells in rows.items():
        found = metric(name)
        assert names(cells[1]) == [key.name for key in found.keys], name
        assert cells[2] == next(key.better for key in found.keys if key.better), name
        assert (cells[3], cells[4]) == (found.needs, "yes" if found.default else "no"), name


def test_the_strategy_docs_section_names_every_strategy():
    headings = re.findall(r"^### (.*)$", (ROOT / "docs" / "strategies.md").read_text(), re.MULTILINE)
    documented = [name for heading in headings for name in names(heading)]
    assert sorted(documented) == sorted(available())


def test_the_readme_is_a_front_page_and_links_only_pages_that_exist():
    assert len(README.splitlines()) <= 200
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README):
        assert (ROOT / target).is_file(), target
