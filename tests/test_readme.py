"""The README's tables of data sets, strategies and architectures say what the registries hold."""

import re
from pathlib import Path

from ganlip.constraints import available
from ganlip.data import available_data
from ganlip.models import available_models
from ganlip.models.registry import parameter_counts

README = (Path(__file__).parents[1] / "README.md").read_text()


def table_rows(heading: str) -> list[list[str]]:
    """The cells of the first table under `heading`, without its header and rule."""
    section = README.split(f"\n{heading}\n", 1)[1]
    lines = re.search(r"((?:^\|.*\n)+)", section, re.MULTILINE).group(1).splitlines()
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_data_table_names_every_data_set():
    listed = [name for row in table_rows("### Data") for name in names(row[0])]
    assert sorted(listed) == sorted(available_data())


def test_the_strategy_table_names_every_strategy():
    listed = [name for row in table_rows("### Strategies") for name in names(row[0])]
    assert sorted(listed) == sorted(available())


def test_the_model_table_gives_every_architectures_parameter_counts():
    rows = {(names(row[0])[0], row[1]): (row[2], row[3]) for row in table_rows("## Models and recipes")}
    expected = {
        (name, str(resolution or "2-D")): (f"{g:,}", f"{d:,}")
        for name in available_models()
        for resolution, g, d in parameter_counts(name)
    }
    assert rows == expected


def test_the_metrics_page_has_a_row_per_registered_metric():
    from ganlip.metrics.registry import available_metrics, metric

    page = (Path(__file__).parents[1] / "docs" / "metrics.md").read_text()
    section = page.split("\n## Scores\n", 1)[1]
    lines = re.search(r"((?:^\|.*\n)+)", section, re.MULTILINE).group(1).splitlines()[2:]
    rows = {names(cells[0])[0]: cells for cells in ([c.strip() for c in line.strip("|").split("|")] for line in lines)}
    assert sorted(rows) == sorted(available_metrics())
    for name, cells in rows.items():
        found = metric(name)
        assert names(cells[1]) == [key.name for key in found.keys], name
        assert cells[2] == next(key.better for key in found.keys if key.better), name
        assert (cells[3], cells[4]) == (found.needs, "yes" if found.default else "no"), name
