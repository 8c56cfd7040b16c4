"""Weight-scale-shift-invariant regularization (WEISSI)."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import Penalty, register, require
from ganlip.layers import weighted_layers


@register("weissi")
class WeightScaleShiftInvariant(Penalty):
    """`lambda1 * sum_l log ‖W_l‖ + lambda2 * sum_l ‖W_l / ‖W_l‖‖_1` (norms of the flattened weights). Rescaling
    layers by `gamma_l > 0` with `prod gamma_l = 1` (biases by the running product) leaves a ReLU network's
    function and this regularizer unchanged, where an L2 penalty would change (docs/strategies.md).

    Parameters: `lambda1` (1e-4), `lambda2` (1e-4). Reads each Linear and Conv layer's effective weight.
    """

    lambda1: float = 1e-4
    lambda2: float = 1e-4
    cost = "two norms per layer"

    def __post_init__(self) -> None:
        require(self.lambda1 >= 0 and self.lambda2 >= 0, "weissi: lambda1 and lambda2 must be 0 or more.")

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        total = real.new_zeros(())
        for _, layer in weighted_layers(critic):
            norm = layer.weight.norm()
            total = total + self.lambda1 * norm.log() + self.lambda2 * (layer.weight / norm).abs().sum()
        return total
