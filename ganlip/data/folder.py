"""Any directory tree of images (jpg, png, bmp, webp), center-cropped to a square and resized. Where every image
lies in a subfolder of the root, the subfolders are its classes, sorted by name (torchvision's `ImageFolder`
layout); a flat folder is unlabelled."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlip.data.files import IMAGE_SUFFIXES, ImageFiles
from ganlip.data.registry import register_data
from ganlip.errors import GanlipError


@register_data("folder", kind="images", resolution=64, classes=None)
def load_folder(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> ImageFiles:
    if not root.exists():
        raise GanlipError(f"image folder {root} does not exist; pass --data-root DIR, a directory of images.")
    if not root.is_dir():
        raise GanlipError(f"{root} is a file, not a folder of images; pass --data-root DIR, a directory of images.")
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not paths:
        suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
        raise GanlipError(f"image folder {root} holds no images ({suffixes}); point --data-root at your images.")
    return ImageFiles(paths, resolution, **class_layout(root, paths))


def class_layout(root: Path, paths: list[Path]) -> dict:
    """The labels of `paths` when each lies in a subfolder of `root` (its class), else none. Every subfolder is a
    class, an empty one too: a conditional run refuses a class without images (`require_labels`), as torchvision's
    ImageFolder does."""
    folders = [path.relative_to(root).parts[0] for path in paths]
    if any(len(path.relative_to(root).parts) == 1 for path in paths):
        return {}
    # every visible subfolder, an empty one too, and any (hidden) one the images were found in
    visible = {child.name for child in root.iterdir() if child.is_dir() and not child.name.startswith(".")}
    names = sorted(visible | set(folders))
    index = {name: i for i, name in enumerate(names)}
    labels = torch.tensor([index[folder] for folder in folders])
    return {"labels": labels, "classes": len(names), "class_names": tuple(names)}
