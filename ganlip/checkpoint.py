"""Checkpoints: atomic writes, `weights_only` reads."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import torch

from ganlip.atomic import atomic_path, fsync_directory, temporary_path
from ganlip.errors import GanlipError

FORMAT = "ganlip-checkpoint"
VERSION = 1


def atomic_save(payload: Any, path: Path) -> None:
    """Write `payload` with torch.save so that `path` is either the old file or the complete new one, never a
    torn mix (`atomic.atomic_path`); a full disk stops with one line and leaves no temporary file."""
    with atomic_path(path, "free disk space or choose another --out; resume from the last checkpoint") as temporary:
        torch.save(payload, temporary)


def atomic_link(source: Path, target: Path) -> None:
    """Make `target` a copy of the finished file `source` atomically (a hard link where possible)."""
    temporary = temporary_path(target)
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:
        with atomic_path(target) as copy:
            shutil.copyfile(source, copy)
        return
    os.replace(temporary, target)
    fsync_directory(target.parent)


def save_checkpoint(state: dict[str, Any], directory: Path, step: int, keep: int = 0) -> Path:
    """Write `checkpoints/step_NNNNNN.pt`, point `checkpoints/last.pt` at it, and keep only the newest `keep`
    step files (0: all). Until the new file is complete, the previous ones stay untouched."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"step_{step:06d}.pt"
    atomic_save({"format": FORMAT, "version": VERSION, "step": step, **state}, path)
    atomic_link(path, directory / "last.pt")
    if keep:
        for old in sorted(directory.glob("step_*.pt"))[:-keep]:
            old.unlink()
    return path


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """A ganlip checkpoint, read with `weights_only=True`: tensors and plain containers only, no code."""
    if path.is_dir():
        path = checkpoint_in(path)
    if not path.is_file():
        raise GanlipError(f"checkpoint {path} does not exist; check the path.")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unsafe content"
        raise GanlipError(
            f"refusing to load {path}: it holds more than tensors and plain values ({first}). "
            f"Only load checkpoints you trust, and only ganlip's."
        ) from None
    except (RuntimeError, EOFError, OSError, ValueError, IndexError, KeyError) as error:  # damaged bytes
        raise GanlipError(
            f"cannot read checkpoint {path} ({' '.join(str(error).split())[:200]}); it is damaged "
            f"or not a torch file. Use an earlier step_NNNNNN.pt in the same folder."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise GanlipError(f"{path} is not a ganlip checkpoint; pass a run directory or a file from its checkpoints/.")
    return payload


def resumable(run_dir: Path) -> tuple[dict[str, Any], str | None]:
    """The newest readable checkpoint of a run directory, and a note when it is not `last.pt`: a `last.pt` that
    cannot be read (a damaged disk, a copy cut short) or is missing falls back to the newest readable
    `step_NNNNNN.pt`, saying which and how many logged steps that loses. Refuses only when none can be read."""
    last = run_dir / "checkpoints" / "last.pt"
    if last.is_file():
        try:
            return load_checkpoint(last), None
        except GanlipError as damaged:
            reason = str(damaged)
    else:
        reason = f"{last} is missing"
    steps = sorted(last.parent.glob("step_*.pt"), reverse=True)
    for candidate in steps:
        try:
            state = load_checkpoint(candidate)
        except GanlipError:
            continue
        newest = max([_step_of(path) for path in steps] + [logged_steps(run_dir)])
        return state, (
            f"{last.name} cannot be read, so the run resumes from {candidate.name} (step {state['step']}), "
            f"training again the {max(newest - state['step'], 0)} step(s) logged after it. ({reason})"
        )
    if not last.is_file() and not steps:
        checkpoint_in(run_dir)  # says that the directory holds no checkpoint
    raise GanlipError(f"no checkpoint of {run_dir} can be read ({len(steps)} step_NNNNNN.pt besides last.pt): {reason}")


def logged_steps(run_dir: Path) -> int:
    """The last step `metrics.jsonl` holds (0 when it holds none)."""
    from ganlip.jsonlines import read_json_lines

    lines = read_json_lines(run_dir / "metrics.jsonl") if (run_dir / "metrics.jsonl").is_file() else []
    return max((line.get("step", 0) for line in lines), default=0)


def _step_of(path: Path) -> int:
    return int(path.stem.removeprefix("step_"))


def checkpoint_in(run_dir: Path) -> Path:
    """The latest checkpoint of a run directory."""
    last = run_dir / "checkpoints" / "last.pt"
    if not last.is_file():
        raise GanlipError(
            f"{run_dir} holds no checkpoint (expected {last}); pass a run directory that has trained "
            f"for at least one checkpoint interval."
        )
    return last
