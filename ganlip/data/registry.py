"""Data-set registry: a name maps to a loader and the defaults that suit it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from ganlip.errors import GanlipError
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
    classes: int | None = 0  # labelled classes; 0: unlabelled; None: the loaded data's own (a folder of classes)


_SPECS: Registry[DataSpec] = Registry("data set")


def register_data(
    name: str, kind: str, resolution: int | None = None, arch: str = "dcgan", classes: int | None = 0, **sizes: Any
):
    """Function decorator: make a loader available under `name`; `classes` says how many classes its labels
    have (0: none; None: as many as the loaded data shows)."""

    def decorate(loader: Loader) -> Loader:
        _SPECS.add(name, DataSpec(name, loader, kind, resolution, arch, dict(sizes), classes))
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
    """The data set `name` as a Dataset of sample tensors (points `(2,)`, or images `(C, H, W)` in [-1, 1]); a
    labelled one also holds `labels` (int64 `(N,)`) and `classes` (see `classes_of`)."""
    spec = data_spec(name)
    return spec.loader(Path(root), resolution or spec.resolution, split, download, seed)


def classes_of(dataset: Dataset) -> int:
    """How many classes the labels of `dataset` have; 0 when it has none."""
    return getattr(dataset, "classes", 0) if getattr(dataset, "labels", None) is not None else 0


def require_labels(dataset: Dataset, name: str) -> int:
    """The class count of `dataset`, which a conditional run needs: an unlabelled data set, or a class without a
    single sample, is refused with the fix."""
    classes = classes_of(dataset)
    if not classes:
        raise GanlipError(
            f"conditional=true needs labelled data, and '{name}' has no labels; train it unconditionally, or use a "
            f"folder with one subfolder per class."
        )
    counts = torch.bincount(dataset.labels, minlength=classes)  # type: ignore[attr-defined]
    empty = [index for index in range(classes) if counts[index] == 0]
    if empty:
        names = getattr(dataset, "class_names", ()) or tuple(map(str, range(classes)))
        raise GanlipError(
            f"class '{names[empty[0]]}' of '{name}' has no samples ({len(empty)} of {classes} classes are empty); "
            f"add its images or remove its folder."
        )
    return classes
