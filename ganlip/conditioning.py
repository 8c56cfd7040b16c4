"""A class-conditional network with its classes bound, so that every tool written for `critic(x)` and
`generator(z)` (penalties, measurements, sampling) runs a conditional one unchanged."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def cycled(labels: Tensor, n: int) -> Tensor:
    """`n` labels: row `i` takes `labels[i mod len(labels)]`."""
    if n == len(labels):
        return labels
    return labels.repeat(-(-n // len(labels)))[:n]


class Conditioned(nn.Module):
    """`Conditioned(network, y)(x)` is `network(x, y')` with `y' = cycled(y, len(x))`: a batch of `len(y)` rows
    takes `y` itself, and a stack of such batches (a critic step scores real and fake in one pass, `gp:at=both`
    stacks them too) takes `y` for each. A critic step generates its fakes for the real batch's classes, so row
    `i` of real, fake and their interpolates all share class `y[i]`: a penalty's gradient is taken with respect
    to the image at that fixed class."""

    def __init__(self, network: nn.Module, labels: Tensor):
        super().__init__()
        self.network = network
        self.labels = labels

    def forward(self, x: Tensor) -> Tensor:
        return self.network(x, cycled(self.labels, len(x)))


def conditioned(network: nn.Module, labels: Tensor | None) -> nn.Module:
    """`network` with `labels` bound, or `network` itself for an unconditional run (`labels` None)."""
    return network if labels is None else Conditioned(network, labels)


def balanced_classes(n: int, classes: int, device: torch.device | str = "cpu") -> Tensor:
    """`0, 1, ..., classes - 1, 0, 1, ...`: `n` classes as evenly spread as `n` allows (what scores draw for)."""
    return torch.arange(n, device=device) % classes
