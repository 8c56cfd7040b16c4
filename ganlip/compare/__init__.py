"""`ganlip compare`: train several strategies on the same data, architecture, budget and seeds, and report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganlip.compare.report import write_report
from ganlip.compare.runner import train_all
from ganlip.compare.suite import load_suite, on_data, override, plan


def compare(
    out: str | Path,
    config: str | Path | None = None,
    constraints: str | None = None,
    seeds: int | None = None,
    steps: int | None = None,
    changes: dict[str, Any] | None = None,
    quiet: bool = False,
    say: Callable[[str], None] = print,
    argv: list[str] | None = None,
    data: str | None = None,
) -> list[Path]:
    """Train every run of the comparison file `config` (None: the built-in CPU suite) that is not complete
    under `out`, then write `out/report.md` and `out/report.html`; returns the reports' paths. `data` makes it
    a one-part comparison on that data set (see `on_data`)."""
    out = Path(out)
    parts = load_suite(config) if data is None else on_data(load_suite(config) if config else None, data)
    parts = override(parts, constraints, seeds, steps, changes)
    runs = plan(parts, out)
    train_all(runs, quiet=quiet, say=say)
    return write_report(parts, runs, out, argv)
