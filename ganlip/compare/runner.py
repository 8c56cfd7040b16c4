"""Train the runs of a comparison: skip the complete ones, resume the unfinished, start the rest. One at a time in
this process, several at once as `ganlip train` processes (one per GPU, or sharing the CPU's cores), or as jobs
of a submitit executor (Slurm)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganlip import config as config_module
from ganlip.checkpoint import resumable
from ganlip.compare.suite import PlannedRun
from ganlip.distributed import threads_per_process
from ganlip.errors import GanlipError, Interrupted
from ganlip.resolution import settled
from ganlip.resume import RESUMABLE_CHANGES
from ganlip.train import train

# Keys that may differ between a planned run and the one found on disk (the rest must match).
SETTLED_KEYS = {"out", *RESUMABLE_CHANGES}
STOPPED = {128 + signal.SIGINT, 128 + signal.SIGTERM}  # exit codes of a run stopped by a signal, checkpointed


@dataclass
class Pending:
    """A run still to train, with the steps it has already checkpointed."""

    run: PlannedRun
    done: int
    where: str  # "[3/10] 8gaussians sn seed 0", for messages

    def command(self) -> list[str]:
        """The `ganlip train` command that trains it in a process of its own."""
        ganlip = [sys.executable, "-m", "ganlip", "train", "--quiet"]
        if self.done:
            return [*ganlip, "--resume", str(self.run.run_dir), "--steps", str(self.run.config.steps)]
        self.run.run_dir.mkdir(parents=True, exist_ok=True)
        planned = self.run.run_dir / "planned.yaml"
        self.run.config.save(planned)
        return [*ganlip, "--config", str(planned)]

    @property
    def log(self) -> Path:
        return self.run.run_dir / "train.log"

    @property
    def run_dir(self) -> Path:
        return self.run.run_dir

    @property
    def total(self) -> int:
        return self.run.config.steps

    @property
    def device(self) -> str:
        return self.run.config.device


def trained_steps(run: PlannedRun) -> int:
    """Generator steps the run on disk has checkpointed (0 when it has none)."""
    checkpoints = run.run_dir / "checkpoints"
    if not (checkpoints / "last.pt").is_file() and not any(checkpoints.glob("step_*.pt")):
        return 0
    return resumable(run.run_dir)[0]["step"]  # a damaged last.pt falls back to an older checkpoint


def check_same_settings(run: PlannedRun) -> None:
    """A run found on disk must have been started with this comparison's settings."""
    saved = config_module.from_dict(config_module.read_mapping(run.run_dir / "config.yaml")).to_dict()
    planned = settled(run.config).to_dict()
    resolved = {key for key, value in planned.items() if value is None}  # filled in when the run started
    differing = sorted(k for k in planned if k not in SETTLED_KEYS | resolved and saved.get(k) != planned[k])
    if differing:
        shown = ", ".join(f"{k}: {saved.get(k)!r} there, {planned[k]!r} now" for k in differing)
        raise GanlipError(
            f"{run.run_dir} holds a run with other settings ({shown}); use another --out for a new comparison."
        )


def pending(runs: list[PlannedRun], say: Callable[[str], None]) -> list[Pending]:
    """The runs not yet complete (saying which are skipped), each checked against what is on disk."""
    left = []
    for index, run in enumerate(runs, 1):
        where = f"[{index}/{len(runs)}] {run.part} {run.constraint} seed {run.seed}"
        done = trained_steps(run)
        if done:
            check_same_settings(run)
        if done >= run.config.steps:
            say(f"{where}: complete ({done} steps), skipped")
        else:
            left.append(Pending(run, done, where))
    return left


def starting(item: Pending, unit: str = "steps") -> str:
    """What is about to happen to `item`: a `Pending` run, or any job with the same `where`, `done`, `total` and
    `run_dir` (the benchmark's)."""
    if item.done:
        return f"{item.where}: resuming at {unit.removesuffix('s')} {item.done} of {item.total}"
    return f"{item.where}: training {item.total} {unit} in {item.run_dir}"


def train_all(
    runs: list[PlannedRun],
    quiet: bool = False,
    say: Callable[[str], None] = print,
    jobs: int = 1,
    executor: Any = None,
) -> None:
    """Train what is left of `runs`: in this process (`jobs` 1), in up to `jobs` processes at once, or as jobs of
    the submitit `executor` (each running `ganlip train`), waiting for all of them."""
    try:
        left = pending(runs, say)
        if executor is not None:
            submit(left, executor, say)
        elif jobs > 1:
            in_processes(left, jobs, say)
        else:
            _in_this_process(left, quiet, say)
    except Interrupted as stop:
        raise Interrupted(
            f"{stop} Or run the same `ganlip compare` command again: it resumes where the comparison stopped.",
            stop.exit_code,
        ) from None


def _in_this_process(left: list[Pending], quiet: bool, say: Callable[[str], None]) -> None:
    for item in left:
        say(starting(item))
        if item.done:
            train(item.run.config, resume=item.run.run_dir, changes={"steps": item.run.config.steps}, quiet=quiet)
        else:
            train(item.run.config, quiet=quiet)


def in_processes(left: list[Pending], jobs: int, say: Callable[[str], None], unit: str = "steps") -> None:
    """Up to `jobs` processes at once, each an item's `command()` (`ganlip train` for a comparison): each sees one
    GPU of its own where there are GPUs (so at most one per GPU), else a share of the CPU's cores. Each writes its
    output to the item's log."""
    gpus = _visible_gpus(left)
    if gpus:
        jobs = min(jobs, len(gpus))
    slots: queue.SimpleQueue[int] = queue.SimpleQueue()
    for slot in range(jobs):
        slots.put(slot)
    threads = threads_per_process(jobs)

    def train_one(item: Pending) -> tuple[Pending, int]:
        slot = slots.get()
        try:
            if gpus:
                env, where = {"CUDA_VISIBLE_DEVICES": gpus[slot]}, f"on GPU {gpus[slot]}"
            else:
                env, where = {"OMP_NUM_THREADS": str(threads)}, f"with {threads} CPU threads"
            say(f"{starting(item, unit)} ({where}; output in {item.log})")
            command = item.command()  # makes the run directory
            with open(item.log, "a") as log:
                finished = subprocess.run(command, env={**os.environ, **env}, stdout=log, stderr=log)
            return item, finished.returncode
        finally:
            slots.put(slot)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            results = list(pool.map(train_one, left))
        except KeyboardInterrupt:  # the runs got the signal too: they checkpoint and stop
            raise Interrupted("stopped by SIGINT; the runs saved checkpoints.", 128 + signal.SIGINT) from None
    _report_failures(results)


def _visible_gpus(left: list[Pending]) -> list[str]:
    if not left or left[0].device == "cpu":
        return []
    import torch

    if not torch.cuda.is_available():
        return []
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return visible.split(",") if visible else [str(i) for i in range(torch.cuda.device_count())]


def _report_failures(results: list[tuple[Pending, int]]) -> None:
    stopped = [item for item, code in results if code in STOPPED]
    failed = [(item, code) for item, code in results if code and code not in STOPPED]
    if failed:
        item, code = failed[0]
        lines = item.log.read_text().strip().splitlines() if item.log.is_file() else []
        last = lines[-1] if lines else "no output"
        raise GanlipError(
            f"{len(failed)} run(s) failed; {item.where} exited with {code}: {last} (whole output: {item.log})."
        )
    if stopped:
        raise Interrupted(f"{len(stopped)} run(s) stopped by a signal, each with a checkpoint.", 128 + signal.SIGTERM)


def submit(left: list[Pending], executor: Any, say: Callable[[str], None], unit: str = "steps") -> None:
    """One submitit job per run, each its `command()`; wait for all, then report failures."""
    from submitit.core.utils import FailedJobError
    from submitit.helpers import CommandFunction

    submitted = []
    for item in left:
        job = executor.submit(CommandFunction(item.command(), verbose=False))
        say(f"{starting(item, unit)} (submitted as job {job.job_id})")
        submitted.append((item, job))
    for item, job in submitted:
        try:
            job.result()
        except FailedJobError as error:
            last = str(error).strip().splitlines()[-1] if str(error).strip() else "no output"
            raise GanlipError(f"{item.where} failed in job {job.job_id}: {last}") from None
