"""Train the runs of a comparison: skip the complete ones, resume the unfinished, start the rest."""

from __future__ import annotations

from collections.abc import Callable

from ganlip import config as config_module
from ganlip.checkpoint import load_checkpoint
from ganlip.compare.suite import PlannedRun
from ganlip.devices import select_device
from ganlip.errors import GanlipError, Interrupted
from ganlip.setup import RESUMABLE_CHANGES, resolved_amp, resolved_constraint
from ganlip.train import train

# Keys that may differ between a planned run and the one found on disk (the rest must match).
SETTLED_KEYS = {"out", *RESUMABLE_CHANGES}


def trained_steps(run: PlannedRun) -> int:
    """Generator steps the run on disk has checkpointed (0 when it has none)."""
    last = run.run_dir / "checkpoints" / "last.pt"
    return load_checkpoint(last)["step"] if last.is_file() else 0


def check_same_settings(run: PlannedRun) -> None:
    """A run found on disk must have been started with this comparison's settings."""
    saved = config_module.from_dict(config_module.read_mapping(run.run_dir / "config.yaml")).to_dict()
    config = run.config
    amp = resolved_amp(config.amp, select_device(config.device))
    planned = config.replace(constraint=resolved_constraint(config), amp=amp).to_dict()
    resolved = {key for key, value in planned.items() if value is None}  # filled in when the run started
    differing = sorted(k for k in planned if k not in SETTLED_KEYS | resolved and saved.get(k) != planned[k])
    if differing:
        shown = ", ".join(f"{k}: {saved.get(k)!r} there, {planned[k]!r} now" for k in differing)
        raise GanlipError(
            f"{run.run_dir} holds a run with other settings ({shown}); use another --out for a new comparison."
        )


def train_all(runs: list[PlannedRun], quiet: bool = False, say: Callable[[str], None] = print) -> None:
    try:
        _train_all(runs, quiet, say)
    except Interrupted as stop:
        raise Interrupted(
            f"{stop} Or run the same `ganlip compare` command again: it resumes where the comparison stopped.",
            stop.exit_code,
        ) from None


def _train_all(runs: list[PlannedRun], quiet: bool, say: Callable[[str], None]) -> None:
    for index, run in enumerate(runs, 1):
        where = f"[{index}/{len(runs)}] {run.part} {run.constraint} seed {run.seed}"
        done = trained_steps(run)
        if done:
            check_same_settings(run)
        if done >= run.config.steps:
            say(f"{where}: complete ({done} steps), skipped")
        elif done:
            say(f"{where}: resuming at step {done} of {run.config.steps}")
            train(run.config, resume=run.run_dir, changes={"steps": run.config.steps}, quiet=quiet)
        else:
            say(f"{where}: training {run.config.steps} steps in {run.run_dir}")
            train(run.config, quiet=quiet)
