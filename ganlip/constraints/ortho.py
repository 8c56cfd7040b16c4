"""Orthogonal regularization: full (columns orthonormal)."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from ganlip.constraints.base import Penalty, register, require
from ganlip.layers import unit_rows, weighted_layers


@register("ortho")
class OrthogonalRegularization(Penalty):
    """`weight * sum_l ‖WᵀW - I‖_F²` with `W` the layer's weight as `in x out`, one column per output unit: it
    pushes the units' weight vectors to be orthonormal (docs/strategies.md). Zero on orthonormal columns.

    Parameters: `weight` (1e-4). Reads each Linear and Conv layer's effective weight.
    """

    weight: float = 1e-4
    off_diagonal_only: ClassVar[bool] = False
    cost = "one out x out Gram matrix per layer"

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"{self.name}: weight must be 0 or more, got {self.weight}.")

    def layer_penalty(self, matrix: Tensor) -> Tensor:
        """The penalty of one layer's `unit_rows` matrix, one row per unit (the columns of the in x out matrix)."""
        gram = matrix @ matrix.T
        identity = torch.eye(len(gram), device=gram.device, dtype=gram.dtype)
        if self.off_diagonal_only:
            return (gram * (1 - identity)).square().sum()
        return (gram - identity).square().sum()

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return self.weight * sum(
            (self.layer_penalty(unit_rows(layer)) for _, layer in weighted_layers(critic)), real.new_zeros(())
        )
