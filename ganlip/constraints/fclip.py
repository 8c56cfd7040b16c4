"""Frobenius clipping: a milder weight clipping that rescales whole layers."""

from __future__ import annotations

import torch
from torch import nn

from ganlip.constraints.base import Constraint, register, require
from ganlip.layers import raw_weight, weighted_layers


@register("fclip")
class FrobeniusClipping(Constraint):
    """After each critic step, `W ← W * min(1, c / ‖W‖_F)` for every Linear and Conv weight: layers whose
    Frobenius norm exceeds `c` are scaled back onto the ball, the rest are left alone (docs/strategies.md).

    Parameters: `c` (1). Touches the weight of every Linear and Conv layer (the raw weight if reparametrized).
    """

    c: float = 1.0
    kind = "projection"
    cost = "one norm per layer after the optimizer step"

    def __post_init__(self) -> None:
        require(self.c > 0, f"fclip: c must be positive, got {self.c}.")

    @torch.no_grad()
    def after_step(self, critic: nn.Module) -> None:
        for _, layer in weighted_layers(critic):
            weight = raw_weight(layer)
            weight.mul_((self.c / weight.norm().clamp_min(1e-12)).clamp_max(1.0))
