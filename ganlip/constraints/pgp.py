"""Parameter-gradient penalty."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.constraints.base import Penalty, Trait, register, require, require_one_of
from ganlip.gradients import PENALTY_POINTS, penalty_points, per_sample_parameter_gradients, scores


@register("pgp")
class ParameterGradientPenalty(Penalty):
    """`weight * E_x ‖∇_θ D(x)‖²`, the gradient with respect to the critic's parameters (not its input), at the
    points `at` names (as for `gp`). For ReLU MLPs it bounds each sample's input-gradient norm (the inequality in
    docs/strategies.md), so it acts as a gradient penalty without differentiating through the input.

    Parameters: `weight` (0.01, no paper default: a starting point to tune), `at` (interp | real | fake |
    both), `per_sample` (true: the mean of per-sample squared norms, which the inequality bounds; false:
    `‖∇_θ E_x D(x)‖²`, the gradient of the batch mean, cheaper but smaller wherever samples' gradients cancel).
    Touches no layer.
    """

    weight: float = 0.01
    at: str = "interp"
    per_sample: bool = True
    cost = "a double backward through the critic (per sample: batched by torch.func)"

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"pgp: weight must be 0 or more, got {self.weight}.")
        require_one_of("pgp", "at", self.at, PENALTY_POINTS)

    def conditional_refusal(self) -> str | None:
        if not self.per_sample:
            return None
        return (
            "pgp differentiates the critic per sample with torch.func, which cannot carry each sample's class to a "
            "conditional critic; use pgp:per_sample=false, or gp."
        )

    @property
    def traits(self) -> frozenset[Trait]:  # type: ignore[override]
        # A mean of per-sample terms splits across processes; the square of a batch mean's gradient does not.
        per_sample = Trait.PER_SAMPLE_GRADIENTS if self.per_sample else Trait.BATCH_COUPLED
        return frozenset({Trait.DOUBLE_BACKWARD, per_sample})

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        x = penalty_points(self.at, real, fake)
        if self.per_sample:
            per_sample = per_sample_parameter_gradients(critic, x)
            return self.weight * sum((g.square().flatten(1).sum(1) for g in per_sample), x.new_zeros(len(x))).mean()
        parameters = [p for p in critic.parameters() if p.requires_grad]
        gradients = torch.autograd.grad(scores(critic(x), len(x)).mean(), parameters, create_graph=True)
        return self.weight * sum((g.square().sum() for g in gradients), real.new_zeros(()))
