"""Weight clipping (Arjovsky et al. 2017, WGAN)."""

from __future__ import annotations

import torch
from torch import nn

from ganlip.constraints.base import Constraint, OptimizerRecipe, register, require


@register("clip")
class WeightClipping(Constraint):
    """After every critic optimizer step, clamp every critic parameter to `[-c, c]` (WGAN Algorithm 1).

    Parameters: `c` (default 0.01); `biases` (true): `biases=false` clamps the weights only and leaves biases
    free, as the Wasserstein-1 benchmark's code does (Korotin et al. 2022, `src/models.py` lines 44-61).
    Touches every parameter of the critic, biases included unless `biases=false`.
    Recipe on images, from WGAN's code (github.com/martinarjovsky/WassersteinGAN, `main.py` at 2cf43ba):
    RMSprop, lr 5e-5 (lines 30-31, 148-149), 5 critic steps per generator step (line 39) and its schedule,
    100 critic steps for the first 25 generator steps and every 500th (lines 163-166; `critic_schedule=wgan`,
    `--set critic_schedule=constant` turns it off). WGAN's code clamps before each critic step (lines 172-173),
    ganlip after it: the same sequence of clipped weights but for the first step's. On 2-D toys, WGAN-GP's
    clipping baseline (`gan_toy.py` lines 110 and 126): RMSprop 5e-5 and a constant 5 critic steps.
    """

    c: float = 0.01
    biases: bool = True
    kind = "projection"
    cost = "one clamp per parameter after the optimizer step"
    recipe = OptimizerRecipe(
        "rmsprop", 5e-5, critic_schedule="wgan", source="WassersteinGAN main.py lines 30-31, 39, 148-149, 163-166"
    )
    toy_recipe = OptimizerRecipe("rmsprop", 5e-5, source="WGAN-GP gan_toy.py lines 110, 126")

    def __post_init__(self) -> None:
        require(self.c > 0, f"clip: c must be positive, got {self.c}; the WGAN paper uses c=0.01.")

    @torch.no_grad()
    def after_step(self, critic: nn.Module) -> None:
        for name, parameter in critic.named_parameters():
            if self.biases or not name.endswith("bias"):
                parameter.clamp_(-self.c, self.c)
