"""Weight clipping (Arjovsky et al. 2017, WGAN)."""

from __future__ import annotations

import torch
from torch import nn

from ganlip.constraints.base import Constraint, OptimizerRecipe, register, require


@register("clip")
class WeightClipping(Constraint):
    """After every critic optimizer step, clamp every critic parameter to `[-c, c]` (WGAN Algorithm 1).

    Parameters: `c` (default 0.01). Touches every parameter of the critic, biases included.
    Paper recipe: RMSprop, lr 5e-5, 5 critic steps per generator step (WGAN Algorithm 1's defaults), which
    WGAN-GP's code also uses for its clipping baselines (`gan_toy.py` lines 110 and 126, `gan_cifar.py`
    lines 105-106 and 110).
    """

    c: float = 0.01
    kind = "projection"
    cost = "one clamp per parameter after the optimizer step"
    recipe = OptimizerRecipe("rmsprop", 5e-5, source="WGAN Algorithm 1; WGAN-GP gan_cifar.py lines 105-110")

    def __post_init__(self) -> None:
        require(self.c > 0, f"clip: c must be positive, got {self.c}; the WGAN paper uses c=0.01.")

    @torch.no_grad()
    def after_step(self, critic: nn.Module) -> None:
        for parameter in critic.parameters():
            parameter.clamp_(-self.c, self.c)
