"""CIFAR-10 through torchvision (its layout: DATA_ROOT/cifar-10-batches-py/data_batch_1..5)."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlip.data.in_memory import InMemory, uint8_images
from ganlip.data.registry import register_data
from ganlip.errors import GanlipError


@register_data("cifar10", kind="images", resolution=32, classes=10)
def load_cifar10(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> InMemory:
    from torchvision.datasets import CIFAR10

    try:
        dataset = CIFAR10(str(root), train=split == "train", download=download)
    except RuntimeError:
        raise GanlipError(
            f"CIFAR-10 not found or corrupted: expected torchvision's layout {root}/cifar-10-batches-py/ "
            f"(data_batch_1..5, test_batch, batches.meta). Pass --data-root DIR where it lies, or add --download "
            f"to fetch it (needs internet)."
        ) from None
    images = torch.from_numpy(dataset.data).permute(0, 3, 1, 2)  # (N, 32, 32, 3) uint8 -> (N, 3, 32, 32)
    return uint8_images(images, resolution, labels=torch.tensor(dataset.targets), classes=10)
