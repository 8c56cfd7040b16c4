"""scikit-learn's bundled 8x8 handwritten digits (1,797 images): the default data, no download needed."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from ganlip.data.in_memory import InMemory
from ganlip.data.registry import register_data


@register_data("digits", kind="images", resolution=32, arch="dcgan", classes=10, width=32)
def load_digits(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> InMemory:
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    images = torch.from_numpy(digits.images).float()[:, None] / 16.0  # pixel values 0..16
    images = F.interpolate(images, size=(resolution, resolution), mode="bilinear", align_corners=False)
    return InMemory(images.clamp(0, 1) * 2 - 1, labels=torch.from_numpy(digits.target), classes=10)
