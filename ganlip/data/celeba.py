"""CelebA in torchvision's layout: DATA_ROOT/celeba/img_align_celeba/*.jpg and list_eval_partition.txt.
Preprocessing as in the SNGAN/WGAN-GP CelebA setups: a 178x178 center crop, resized to 64 or 128."""

from __future__ import annotations

from pathlib import Path

from ganlip.data.files import ImageFiles
from ganlip.data.registry import register_data
from ganlip.errors import GanlipError

SPLITS = {"train": "0", "valid": "1", "test": "2"}
CROP = 178


@register_data("celeba", kind="images", resolution=64)
def load_celeba(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> ImageFiles:
    folder = root / "celeba"
    images, partition = folder / "img_align_celeba", folder / "list_eval_partition.txt"
    if not images.is_dir() or not partition.is_file():
        raise GanlipError(
            f"CelebA not found: expected {images}/000001.jpg ... and {partition} (torchvision's layout). "
            f"Download img_align_celeba.zip and list_eval_partition.txt from the CelebA site "
            f"(mmlab.ie.cuhk.edu.hk/projects/CelebA.html), unzip under {folder}, and pass --data-root {root}."
        )
    if split not in SPLITS and split != "all":
        raise GanlipError(f"CelebA split '{split}' is not valid; use train, valid, test or all.")
    names = []
    for line in partition.read_text().split("\n"):
        fields = line.split()
        if len(fields) == 2 and (split == "all" or fields[1] == SPLITS[split]):
            names.append(fields[0])
    paths = [images / name for name in names]
    missing = [path for path in paths if not path.is_file()]
    if missing or not paths:
        detail = f"{len(missing)} listed images are missing, e.g. {missing[0]}" if missing else "it lists no image"
        raise GanlipError(
            f"CelebA {split} split is incomplete: {detail}. Re-extract img_align_celeba.zip under {folder}."
        )
    return ImageFiles(paths, resolution, crop=CROP)
