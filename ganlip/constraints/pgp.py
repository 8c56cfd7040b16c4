"""Parameter-gradient penalty."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ganlip.constraints.base import Constraint, register, require
from ganlip.constraints.gp import WHERE, GradientPenalty


@register("pgp")
@dataclass
class ParameterGradientPenalty(Constraint):
    """`weight * ‖∇_θ E_x[D(x)]‖²`, the gradient with respect to the critic's parameters (not its input), at the
    points `at` names (as for `gp`). For ReLU MLPs it bounds the input-gradient norm (the inequality in
    docs/strategies.md), so it acts as a gradient penalty without differentiating through the input.

    Parameters: `weight` (0.01, no paper default: a starting point to tune), `at` (interp | real | fake |
    real+fake). Touches no layer.
    """

    weight: float = 0.01
    at: str = "interp"
    batch_coupled = True
    kind = "penalty"
    cost = "a double backward through the critic"
    double_backward = True

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"pgp: weight must be 0 or more, got {self.weight}.")
        require(self.at in WHERE, f"pgp: at must be one of {', '.join(WHERE)}, got '{self.at}'.")

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        x = GradientPenalty(at=self.at).points(real, fake)
        parameters = [p for p in critic.parameters() if p.requires_grad]
        gradients = torch.autograd.grad(critic(x).mean(), parameters, create_graph=True)
        return self.weight * sum((g.square().sum() for g in gradients), real.new_zeros(()))
