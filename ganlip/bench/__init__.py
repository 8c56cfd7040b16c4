"""`ganlip bench w1`: every strategy's critic, trained alone on the Wasserstein-1 benchmark pairs of Korotin et
al. (2022), whose optimal potential is known, and measured against it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganlip.bench.critic_run import run_critic
from ganlip.bench.plan import BenchRun, check_progress, plan
from ganlip.bench.report import write_report
from ganlip.compare.runner import in_processes, starting, submit
from ganlip.errors import GanlipError, Interrupted
from ganlip.lock import DirectoryLock

UNIT = "iterations"


def bench_w1(
    out: str | Path,
    constraints: list[str],
    dims: list[int],
    funnels: list[int],
    seeds: int = 3,
    iterations: int | None = None,
    patience: int = 0,
    pair_seed: int | None = None,
    device: str = "auto",
    jobs: int = 1,
    executor: Any = None,
    say: Callable[[str], None] = print,
    argv: list[str] | None = None,
) -> list[Path]:
    """Train every run of the grid not complete under `out` (resuming unfinished ones), then write
    `out/results.json`, `out/report.md` and `out/report.html`; returns their paths."""
    out = Path(out)
    runs = plan(out, constraints, dims, funnels, seeds, iterations, patience, pair_seed, device)
    with DirectoryLock(out, "ganlip bench w1"):
        left = []
        for run in runs:
            check_progress(run)
            if run.complete:
                say(f"{run.where}: complete ({run.done} iterations), skipped")
            else:
                left.append(run)
        try:
            if executor is not None:
                submit(left, executor, say, UNIT)
            elif jobs > 1:
                in_processes(left, jobs, say, UNIT)
            else:
                for run in left:
                    say(starting(run, UNIT))
                    train_one(run)
        except Interrupted as stop:
            raise Interrupted(
                f"{stop} Run the same `ganlip bench w1` command again: it resumes where it stopped.", stop.exit_code
            ) from None
        except KeyboardInterrupt:
            raise Interrupted(
                "stopped by SIGINT; each run keeps its last checkpoint. Run the same `ganlip bench w1` command "
                "again: it resumes where it stopped.",
                130,
            ) from None
        return write_report(runs, out, argv)


def train_one(run: BenchRun) -> dict:
    """One run in this process, holding its directory's writer lock."""
    try:
        with DirectoryLock(run.run_dir, "ganlip bench critic"):
            return run_critic(run.settings, run.run_dir)
    except GanlipError as error:
        raise GanlipError(f"{run.where}: {error}") from None
