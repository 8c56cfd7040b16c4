"""Two-sided gradient penalty on real/fake interpolates (Gulrajani et al. 2017, WGAN-GP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor, nn

from ganlip.constraints.base import Constraint, OptimizerRecipe, register, require
from ganlip.gradients import input_gradient_norms, interpolate


@register("gp")
@dataclass
class GradientPenalty(Constraint):
    """`weight * E[(‖∇D(x̂)‖ - 1)²]` with `x̂ = eps * real + (1 - eps) * fake`, `eps ~ U[0, 1]` per sample
    (WGAN-GP eq. 3). The gradient is taken with `create_graph=True`, so the penalty costs a double backward.

    Parameters: `weight` (lambda, default 10). Touches no layer: it acts through the loss.
    Paper recipe: Adam, lr 1e-4, betas (0, 0.9), 5 critic steps per generator step, no batch norm in D.
    """

    weight: float = 10.0
    one_sided: ClassVar[bool] = False
    kind = "penalty"
    recipe = OptimizerRecipe("adam", 1e-4, (0.0, 0.9))

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"{self.name}: weight must be 0 or more, got {self.weight}; WGAN-GP uses 10.")

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        norms = input_gradient_norms(critic, interpolate(real, fake), create_graph=True)
        excess = norms - 1.0
        if self.one_sided:
            excess = excess.clamp_min(0.0)
        return self.weight * excess.square().mean()
