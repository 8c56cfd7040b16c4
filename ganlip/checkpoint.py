"""Checkpoints: atomic writes, `weights_only` reads."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import torch

from ganlip.errors import GanlipError

FORMAT = "ganlip-checkpoint"
VERSION = 1


def atomic_save(payload: Any, path: Path) -> None:
    """Write `payload` with torch.save so that `path` is either the old file or the complete new one, never a
    torn mix: write a temporary file beside it, fsync, rename over, fsync the directory."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with open(temporary, "wb") as file:
            torch.save(payload, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise GanlipError(
            f"could not write checkpoint {path} ({error.strerror or error}); free disk space or "
            f"fix permissions. The previous checkpoint is intact."
        ) from None
    _fsync_directory(path.parent)


def atomic_link(source: Path, target: Path) -> None:
    """Make `target` a copy of the finished file `source` atomically (a hard link where possible)."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)
    _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
    except (RuntimeError, EOFError, OSError) as error:
        raise GanlipError(
            f"cannot read checkpoint {path} ({' '.join(str(error).split())[:200]}); it is damaged "
            f"or not a torch file. Use an earlier step_NNNNNN.pt in the same folder."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise GanlipError(f"{path} is not a ganlip checkpoint; pass a run directory or a file from its checkpoints/.")
    return payload


def checkpoint_in(run_dir: Path) -> Path:
    """The latest checkpoint of a run directory."""
    last = run_dir / "checkpoints" / "last.pt"
    if not last.is_file():
        raise GanlipError(
            f"{run_dir} holds no checkpoint (expected {last}); pass a run directory that has trained "
            f"for at least one checkpoint interval."
        )
    return last
