"""R1, the zero-centred gradient penalty at real samples, by its name (Mescheder, Geiger & Nowozin 2018, "Which
Training Methods for GANs do actually Converge?")."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from ganlip.constraints.base import Constraint, OptimizerRecipe, register, require
from ganlip.constraints.gp import GradientPenalty


@register("r1")
class R1(Constraint):
    """`gamma/2 E_real ‖∇D(x)‖²`: the gradient penalty at the real samples, centred on 0; the same penalty as
    `gp:at=real,target=0,weight=gamma/2`, which computes it.

    Parameters: `gamma` (10). Recipe, from the paper's code (github.com/LMescheder/GAN_stability at de65a61,
    `configs/default.yaml`): reg_param 10 (line 22), RMSprop with lr 1e-4 for both networks (lines 35-37). That
    code trains the non-saturating loss (`gan_type: standard`, line 20) with one critic step per generator step
    (`d_steps: 1`, line 40); ganlip keeps the config's loss and `n_critic`, which the recipe does not set.
    """

    gamma: float = 10.0
    at: ClassVar[str] = "real"
    kind = "penalty"
    cost = "a double backward through the critic"
    double_backward = True
    recipe = OptimizerRecipe("rmsprop", 1e-4, source="GAN_stability configs/default.yaml lines 22, 35-37")

    def __post_init__(self) -> None:
        require(self.gamma >= 0, f"{self.name}: gamma must be 0 or more, got {self.gamma}; the paper uses 10.")
        self.zero_centred = GradientPenalty(weight=self.gamma / 2, target=0.0, at=self.at)

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return self.zero_centred.penalty(critic, real, fake)
