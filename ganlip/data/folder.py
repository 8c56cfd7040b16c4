"""Any directory tree of images (jpg, png, bmp, webp), center-cropped to a square and resized."""

from __future__ import annotations

from pathlib import Path

from ganlip.data.files import IMAGE_SUFFIXES, ImageFiles
from ganlip.data.registry import register_data
from ganlip.errors import GanlipError


@register_data("folder", kind="images", resolution=64)
def load_folder(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> ImageFiles:
    if not root.exists():
        raise GanlipError(f"image folder {root} does not exist; pass --data-root DIR, a directory of images.")
    if not root.is_dir():
        raise GanlipError(f"{root} is a file, not a folder of images; pass --data-root DIR, a directory of images.")
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not paths:
        suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
        raise GanlipError(f"image folder {root} holds no images ({suffixes}); point --data-root at your images.")
    return ImageFiles(paths, resolution)
