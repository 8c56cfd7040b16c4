"""Frobenius penalty: a soft Frobenius clipping that only bites above a threshold."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import Penalty, register, require
from ganlip.layers import weighted_layers


@register("fpen")
class FrobeniusPenalty(Penalty):
    """`weight * sum_l max(‖W_l‖_F - c, 0)²` over the critic's Linear and Conv weights (docs/strategies.md).

    Parameters: `weight` (10), `c` (1). Reads each layer's effective weight.
    """

    weight: float = 10.0
    c: float = 1.0
    cost = "one norm per layer"

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"fpen: weight must be 0 or more, got {self.weight}.")
        require(self.c > 0, f"fpen: c must be positive, got {self.c}.")

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        excess = [(layer.weight.norm() - self.c).clamp_min(0).square() for _, layer in weighted_layers(critic)]
        return self.weight * sum(excess, real.new_zeros(()))
