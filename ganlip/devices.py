"""Device selection."""

from __future__ import annotations

import torch

from ganlip.config import check_device
from ganlip.errors import GanlipError


def select_device(name: str) -> torch.device:
    """`auto` is CUDA when there is a GPU, else the CPU."""
    check_device(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise GanlipError(
            "--device cuda was asked for, but this machine has no usable CUDA GPU; use --device cpu or auto."
        )
    return torch.device(name)
