"""Data loaders. Every module in this package that defines a loader registers it on import."""

import importlib
import pkgutil

from ganlip.data.registry import available_data, data_spec, load_data, register_data
from ganlip.data.stream import BatchStream

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["BatchStream", "available_data", "data_spec", "load_data", "register_data"]
