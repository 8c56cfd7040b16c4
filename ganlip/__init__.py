"""ganlip: Wasserstein GANs whose critic is kept Lipschitz by interchangeable strategies."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["constraints", "load_generator", "metrics"]


def __getattr__(name: str) -> Any:  # nothing heavy is imported until it is used
    if name == "load_generator":
        from ganlip.export import load_generator

        return load_generator
    if name in ("constraints", "metrics"):
        return importlib.import_module(f"ganlip.{name}")
    raise AttributeError(f"module 'ganlip' has no attribute '{name}'")
