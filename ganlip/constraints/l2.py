"""L2 penalty (weight decay written as a loss term)."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import Penalty, register, require
from ganlip.layers import weighted_layers


@register("l2")
class L2Penalty(Penalty):
    """`weight * sum_l ‖W_l‖_F²` over the critic's Linear and Conv weights. Since `‖W‖_2 <= ‖W‖_F`, it pushes
    the Lipschitz bound down, loosely; unlike `weissi`, it changes under a rescaling that leaves D unchanged.

    Parameters: `weight` (1e-4). Reads each layer's effective weight.
    """

    weight: float = 1e-4
    cost = "one squared norm per layer"

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"l2: weight must be 0 or more, got {self.weight}.")

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return self.weight * sum(
            (layer.weight.square().sum() for _, layer in weighted_layers(critic)), real.new_zeros(())
        )
