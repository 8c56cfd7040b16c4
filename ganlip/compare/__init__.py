"""`ganlip compare`: train several strategies on the same data, architecture, budget and seeds, and report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganlip.compare.report import describe_settings, write_report
from ganlip.compare.runner import pending, starting, train_all
from ganlip.compare.suite import load_suite, on_data, override, plan
from ganlip.errors import GanlipError
from ganlip.lock import DirectoryLock


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
    jobs: int = 1,
    executor: Any = None,
    bench: str | Path | None = None,
    dry_run: bool = False,
) -> list[Path]:
    """Train every run of the comparison file `config` (None: the built-in CPU suite) that is not complete
    under `out`, then write `out/report.md` and `out/report.html`; returns the reports' paths. `data` makes it
    a one-part comparison on that data set (see `on_data`). `jobs` runs train at once as processes of their
    own; a submitit `executor` (see `slurm_executor`) trains each as a job instead. `bench`: a `ganlip bench w1`
    directory whose results the report shows beside the comparison's. `dry_run` says the plan (each run complete,
    to resume or to train, with its part's resolved settings) and trains nothing."""
    out = Path(out)
    parts = load_suite(config) if data is None else on_data(load_suite(config) if config else None, data)
    parts = override(parts, constraints, seeds, steps, changes)
    runs = plan(parts, out)
    if bench is not None and not (Path(bench) / "results.json").is_file():
        raise GanlipError(f"--bench {bench} holds no results.json; pass a directory `ganlip bench w1 --out` wrote.")
    if dry_run:
        for part in parts:
            say(f"{part.name}: {describe_settings([run for run in runs if run.part == part.name], part.seeds)}")
        for item in pending(runs, say):
            say(starting(item))
        return []
    with DirectoryLock(out, "ganlip compare"):  # one comparison at a time in an output directory
        train_all(runs, quiet=quiet, say=say, jobs=jobs, executor=executor)
        return write_report(parts, runs, out, argv, Path(bench) if bench is not None else None)


def slurm_executor(folder: str | Path, parameters: dict[str, Any]) -> Any:
    """A submitit executor that submits to Slurm, with submitit's parameters (`timeout_min`, `gpus_per_node`,
    `slurm_partition`, ...). Its job files go to `folder`."""
    try:
        import submitit
    except ImportError:
        raise GanlipError("--launcher slurm needs submitit; install it with: pip install 'ganlip[slurm]'.") from None
    try:
        executor = submitit.AutoExecutor(folder=Path(folder), cluster="slurm")
    except RuntimeError as error:  # no srun: not a Slurm machine
        raise GanlipError(f"--launcher slurm: {error} Run it on the cluster's login node.") from None
    try:
        executor.update_parameters(**parameters)
    except (TypeError, ValueError) as error:
        raise GanlipError(f"--slurm: {error}; see submitit's AutoExecutor parameters.") from None
    return executor
