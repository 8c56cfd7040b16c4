"""Two-sided gradient penalty (Gulrajani et al. 2017, WGAN-GP), with R1 and friends as options."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import Tensor, nn

from ganlip.constraints.base import OptimizerRecipe, Penalty, Trait, register, require, require_one_of
from ganlip.gradients import PENALTY_POINTS, input_gradient_norms, penalty_points

# Which fake each real sample is interpolated with: its own row's (generated for its class), or any row's.
PAIRS = ("same", "any")


@register("gp")
class GradientPenalty(Penalty):
    """`weight * E[(‖∇D(x)‖ - target)²]` at points `x` chosen by `at`; by default real/fake interpolates
    `x = eps * real + (1 - eps) * fake`, `eps ~ U[0, 1]` per sample (WGAN-GP eq. 3). `gp:at=real,target=0`
    is the R1 penalty (Mescheder et al. 2018) with `weight = gamma / 2`. The gradient is taken with
    `create_graph=True`, so the penalty costs a double backward.

    Parameters: `weight` (10), `target` (1), `at` (interp | real | fake | both), `pairs` (same | any). Touches no
    layer. On a class-conditional critic a critic step generates its fakes for the real batch's classes, so
    `pairs=same` interpolates a real sample and a fake of its own class, and the gradient is taken with respect to
    the image at that class; `pairs=any` pairs each real sample with a fake drawn for another row (a random
    permutation), interpolating across classes, scored at the real sample's class. Unconditional, both are
    interpolates between independent real and generated samples.
    Recipes, from WGAN-GP's code (github.com/igul222/improved_wgan_training at fa66c57): on images,
    `gan_cifar.py` (the DCGAN critic): weight 10 (line 28), Adam 1e-4 betas (0.5, 0.9) (lines 137-138),
    5 critic steps, batch 64; its ResNet (`gan_cifar_resnet.py`: Adam 2e-4 betas (0, 0.9), linear decay) is
    `configs/cifar10_wgangp.yaml`. On 2-D toys, `gan_toy.py`: weight 0.1 (line 23, "smaller lambda makes
    things faster for toy tasks"), Adam 1e-4 betas (0.5, 0.9) (lines 90-92), 5 critic steps, batch 256.
    """

    weight: float = 10.0
    target: float = 1.0
    at: str = "interp"
    pairs: str = "same"
    one_sided: ClassVar[bool] = False
    cost = "a double backward through the critic"
    traits = frozenset({Trait.DOUBLE_BACKWARD})
    recipe = OptimizerRecipe("adam", 1e-4, (0.5, 0.9), source="WGAN-GP gan_cifar.py lines 28, 137-138")
    toy_recipe = OptimizerRecipe(
        "adam", 1e-4, (0.5, 0.9), params=(("weight", 0.1),), source="WGAN-GP gan_toy.py lines 23, 90-92"
    )

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"{self.name}: weight must be 0 or more, got {self.weight}; WGAN-GP uses 10.")
        require(self.target >= 0, f"{self.name}: target must be 0 or more, got {self.target}.")
        require_pairs(self.name, self.at, self.pairs)

    def points(self, real: Tensor, fake: Tensor) -> Tensor:
        return paired_points(self.at, self.pairs, real, fake)

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return gradient_penalty(critic, self.points(real, fake), self.weight, self.target, self.one_sided)


def paired_points(at: str, pairs: str, real: Tensor, fake: Tensor) -> Tensor:
    """The points `at` names, with each real sample interpolated towards its own row's fake (`pairs=same`) or a
    random row's (`pairs=any`)."""
    if pairs == "any":
        fake = fake[torch.randperm(len(fake), device=fake.device)]
    return penalty_points(at, real, fake)


def require_pairs(strategy: str, at: str, pairs: str) -> None:
    require_one_of(strategy, "at", at, PENALTY_POINTS)
    require_one_of(strategy, "pairs", pairs, PAIRS)
    require(
        pairs == "same" or at == "interp",
        f"{strategy}: pairs=any shuffles the fakes that interpolates are drawn towards; it needs at=interp.",
    )


def gradient_penalty(
    critic: nn.Module, points: Tensor, weight: float, target: float, one_sided: bool = False
) -> Tensor:
    """`weight E[(‖∇D(x)‖ - target)²]` over `points` (only slopes above the target when `one_sided`), differentiable
    in the critic's weights (a double backward)."""
    excess = input_gradient_norms(critic, points, create_graph=True) - target
    if one_sided:
        excess = excess.clamp_min(0.0)
    return weight * excess.square().mean()
