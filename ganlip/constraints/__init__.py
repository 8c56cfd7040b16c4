"""Lipschitz strategies for the critic. Every module in this package registers its strategy on import."""

import importlib
import pkgutil

from ganlip.constraints.base import (
    Composite,
    Constraint,
    OptimizerRecipe,
    Penalty,
    Trait,
    available,
    build,
    describe,
    register,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "Composite",
    "Constraint",
    "OptimizerRecipe",
    "Penalty",
    "Trait",
    "available",
    "build",
    "describe",
    "register",
]
