"""An exponential moving average of the generator's weights, used for samples, metrics and export."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """`θ_ema ← decay θ_ema + (1 - decay) θ` after each generator step from `start` on (before it, a copy).
    Buffers (batch-norm statistics, spectral-norm vectors) are copied, not averaged: an average of power
    iteration vectors or of running statistics is not one of them."""

    def __init__(self, model: nn.Module, decay: float, start: int = 0):
        self.decay = decay
        self.start = start
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module, step: int) -> None:
        weight = self.decay if step >= self.start else 0.0
        for average, current in zip(self.model.parameters(), model.parameters(), strict=True):
            average.lerp_(current, 1 - weight)
        for average, current in zip(self.model.buffers(), model.buffers(), strict=True):
            average.copy_(current)
