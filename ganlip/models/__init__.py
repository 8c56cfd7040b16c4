"""Generator/critic architectures. Every module in this package registers its family on import."""

import importlib
import pkgutil

from ganlip.models.registry import (
    available_critics,
    available_models,
    build_critic,
    build_model,
    family,
    register_critic,
    register_model,
    sizes_from,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "available_critics",
    "available_models",
    "build_critic",
    "build_model",
    "family",
    "register_critic",
    "register_model",
    "sizes_from",
]
