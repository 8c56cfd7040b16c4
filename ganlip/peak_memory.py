"""Peak memory since the last reset: the CUDA allocator's peak on a GPU, the process's peak resident size
on a Linux CPU (reset through /proc/self/clear_refs), nothing elsewhere."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import torch

STATUS, CLEAR_REFS = Path("/proc/self/status"), Path("/proc/self/clear_refs")


def resident_bytes() -> dict[str, int] | None:
    """`{"current": VmRSS, "peak": VmHWM}` in bytes, or None where /proc does not tell."""
    try:
        status = STATUS.read_text()
    except OSError:
        return None
    current, peak = (re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE) for key in ("VmRSS", "VmHWM"))
    if current is None or peak is None:
        return None
    return {"current": int(current[1]) * 1024, "peak": int(peak[1]) * 1024}


def reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        return
    with contextlib.suppress(OSError):  # not Linux, or /proc is read-only: the peak is the process's
        CLEAR_REFS.write_text("5")  # the peak resident size becomes the current one


def in_use(device: torch.device) -> int | None:
    if device.type == "cuda":
        return torch.cuda.memory_allocated(device)
    resident = resident_bytes()
    return resident["current"] if resident else None


def peak(device: torch.device) -> int | None:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device)
    resident = resident_bytes()
    return resident["peak"] if resident else None
