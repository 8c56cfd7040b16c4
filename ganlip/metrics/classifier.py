"""The small image classifiers that ship with ganlip as feature networks for data sets without Inception
weights at hand: a 3-stage CNN on 32-px grayscale images whose 128-d penultimate layer is the feature space
(as Inception's 2048-d pool layer is FID's). `scripts/train_feature_nets.py` trains them."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

RESOLUTION = 32
FEATURE_DIMS = 128
CLASSES = 10


def _stage(n_in: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(n_in, n_out, 3, padding=1, bias=False), nn.BatchNorm2d(n_out), nn.ReLU(), nn.MaxPool2d(2)
    )


class SmallClassifier(nn.Module):
    """conv 32 → 64 → 128 (3x3, batch norm, ReLU, 2x2 max pool each), then a 128-unit ReLU layer (the
    features) and a 10-way linear head. Takes images in [-1, 1]; colour images are averaged to gray and other
    sizes resized to 32 px, so that any generator's samples can be scored."""

    def __init__(self, widths: tuple[int, int, int] = (32, 64, 128)):
        super().__init__()
        stages, n_in = [], 1
        for width in widths:
            stages.append(_stage(n_in, width))
            n_in = width
        self.body = nn.Sequential(*stages, nn.Flatten())
        self.features = nn.Sequential(nn.Linear(widths[-1] * (RESOLUTION // 8) ** 2, FEATURE_DIMS), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(FEATURE_DIMS, CLASSES))

    def embed(self, images: Tensor) -> Tensor:
        if images.shape[1] != 1:
            images = images.mean(dim=1, keepdim=True)
        if images.shape[-1] != RESOLUTION or images.shape[-2] != RESOLUTION:
            images = F.interpolate(images, size=(RESOLUTION, RESOLUTION), mode="bilinear", antialias=True)
        return self.features(self.body(images))

    def forward(self, images: Tensor) -> Tensor:
        return self.head(self.embed(images))
