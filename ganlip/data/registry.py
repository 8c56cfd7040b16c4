"""Data-set registry: a name maps to a loader and the defaults that suit it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch.utils.data import Dataset

from ganlip.registry import Registry

# loader(root, resolution, split, download, seed) -> a Dataset whose items are sample tensors
Loader = Callable[[Path, "int | None", str, bool, int], Dataset]


@dataclass(frozen=True)
class DataSpec:
    name: str
    loader: Loader
    kind: str  # "points" or "images"
    resolution: int | None = None  # the default resolution of image data
    arch: str = "dcgan"  # the default architecture
    sizes: dict[str, Any] = field(default_factory=dict)  # model sizes that suit the data (small data, small model)


_SPECS: Registry[DataSpec] = Registry("data set")


def register_data(name: str, kind: str, resolution: int | None = None, arch: str = "dcgan", **sizes: Any):
    """Function decorator: make a loader available under `name`."""

    def decorate(loader: Loader) -> Loader:
        _SPECS.add(name, DataSpec(name, loader, kind, resolution, arch, dict(sizes)))
        return loader

    return decorate


def available_data() -> list[str]:
    return _SPECS.names()


def data_spec(name: str) -> DataSpec:
    return _SPECS[name]


def load_data(
    name: str,
    root: str | Path = "data",
    resolution: int | None = None,
    split: str = "train",
    download: bool = False,
    seed: int = 0,
) -> Dataset:
    """The data set `name` as a Dataset of sample tensors (points `(2,)`, or images `(C, H, W)` in [-1, 1])."""
    spec = data_spec(name)
    return spec.loader(Path(root), resolution or spec.resolution, split, download, seed)
