"""ganlip: Wasserstein GANs whose critic is kept Lipschitz by interchangeable strategies."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["constraints", "load_generator", "metrics", "restore"]


def __getattr__(name: str) -> Any:  # nothing heavy is imported until it is used
    if name in ("restore", "load_generator"):
        return getattr(importlib.import_module("ganlip.trained"), name)
    if name in ("constraints", "metrics"):
        return importlib.import_module(f"ganlip.{name}")
    raise AttributeError(f"module 'ganlip' has no attribute '{name}'")
