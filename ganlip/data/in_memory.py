"""Data sets small enough to hold in memory as one tensor, indexed a batch at a time."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import Dataset


class InMemory(Dataset):
    """Samples `tensor[i] * scale + shift`. Images are kept as uint8 (scale 2/255, shift -1 maps them to
    [-1, 1]) so that a 60k-image set takes 60 MB rather than 240 MB. `labels` (int64 `(N,)`, values below
    `classes`) are the samples' classes where the data has them; an item is the sample alone either way."""

    def __init__(
        self, tensor: Tensor, scale: float = 1.0, shift: float = 0.0, labels: Tensor | None = None, classes: int = 0
    ):
        self.tensor = tensor
        self.scale = scale
        self.shift = shift
        self.labels = labels.long() if labels is not None else None
        self.classes = classes if labels is not None else 0

    def __len__(self) -> int:
        return len(self.tensor)

    def __getitem__(self, index: int) -> Tensor:
        return self.batch(torch.tensor([index]))[0]

    def batch(self, indices: Tensor) -> Tensor:
        return self.tensor[indices].float() * self.scale + self.shift


def uint8_images(images: Tensor, resolution: int | None, labels: Tensor | None = None, classes: int = 0) -> InMemory:
    """uint8 images `(N, C, H, W)`, resized to `resolution` once, as an InMemory set in [-1, 1], with their
    `labels` of `classes` classes when given."""
    if resolution is not None and images.shape[-1] != resolution:
        resized = F.interpolate(images.float(), size=(resolution, resolution), mode="bilinear", antialias=True)
        images = resized.round().clamp(0, 255).to(torch.uint8)
    return InMemory(images.contiguous(), scale=2 / 255, shift=-1.0, labels=labels, classes=classes)
