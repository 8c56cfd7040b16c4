"""Image files decoded on the fly: the common part of the `celeba` and `folder` loaders."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import torch
from PIL import Image, UnidentifiedImageError
from safetensors.torch import load_file, save_file
from torch import Tensor
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from ganlip.atomic import atomic_path
from ganlip.data.in_memory import InMemory
from ganlip.errors import GanlipError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class ImageFiles(Dataset):
    """RGB images from `paths`, center-cropped to `crop` (the shorter side when None), resized to
    `resolution` with antialiasing, as float tensors `(3, resolution, resolution)` in [-1, 1]; `labels` (one per
    path, below `classes`) where the files are sorted into classes."""

    def __init__(
        self,
        paths: list[Path],
        resolution: int,
        crop: int | None = None,
        labels: Tensor | None = None,
        classes: int = 0,
        class_names: tuple[str, ...] = (),
    ):
        self.paths = paths
        self.resolution = resolution
        self.crop = crop
        self.labels = labels
        self.classes = classes if labels is not None else 0
        self.class_names = class_names

    def __len__(self) -> int:
        return len(self.paths)

    def readable(self) -> ImageFiles:
        """The same files less those that do not decode, reporting how many were skipped."""
        good, bad = [], []
        for path in self.paths:
            try:
                with Image.open(path) as picture:
                    picture.load()
                good.append(path)
            except (UnidentifiedImageError, OSError):
                bad.append(path)
        if bad:
            print(f"skipped {len(bad)} unreadable image(s) of {len(self.paths)}, e.g. {bad[0]}", file=sys.stderr)
        if not good:
            raise GanlipError(f"none of the {len(self.paths)} images can be read, e.g. {bad[0]}; check the data.")
        unreadable = set(bad)
        kept = [index for index, path in enumerate(self.paths) if path not in unreadable]
        labels = self.labels[kept] if self.labels is not None else None
        return ImageFiles(good, self.resolution, self.crop, labels, self.classes, self.class_names)

    def __getitem__(self, index: int) -> Tensor:
        return self.pixels(index).to(torch.float32) * (2 / 255) - 1

    def decoded(self, cache: Path) -> InMemory:
        """All images decoded once into a uint8 tensor, cached in `cache` (safetensors, keyed by the files and
        the preprocessing), so that later epochs and runs skip JPEG decoding."""
        key = hashlib.sha1("\n".join(map(str, [self.resolution, self.crop, *self.paths])).encode()).hexdigest()[:16]
        path = cache / f"images-{len(self.paths)}-{self.resolution}px-{key}.safetensors"
        if path.is_file():
            images = load_file(str(path))["images"]
        else:
            images = torch.stack([self.pixels(i) for i in range(len(self.paths))])
            with atomic_path(path, "free disk space or turn cache_images off") as temporary:
                save_file({"images": images}, str(temporary))
        return InMemory(images, scale=2 / 255, shift=-1.0, labels=self.labels, classes=self.classes)

    def pixels(self, index: int) -> Tensor:
        """Image `index` cropped and resized, as uint8 `(3, resolution, resolution)`."""
        path = self.paths[index]
        try:
            with Image.open(path) as picture:
                image = TF.pil_to_tensor(picture.convert("RGB"))
        except (UnidentifiedImageError, OSError) as error:
            raise GanlipError(
                f"cannot read image {path} ({error}); remove or replace the file, or pass --set skip_bad_images=true."
            ) from None
        crop = self.crop or min(image.shape[-2:])
        image = TF.center_crop(image, [crop, crop])
        return TF.resize(image, [self.resolution, self.resolution], antialias=True)
