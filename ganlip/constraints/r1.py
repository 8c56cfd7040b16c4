"""R1, the zero-centred gradient penalty at real samples, by its name (Mescheder, Geiger & Nowozin 2018, "Which
Training Methods for GANs do actually Converge?")."""

from __future__ import annotations

from typing import ClassVar

from torch import Tensor, nn

from ganlip.constraints.base import OptimizerRecipe, Penalty, Trait, register, require
from ganlip.constraints.gp import GradientPenalty


@register("r1")
class R1(Penalty):
    """`gamma/2 E_real ‖∇D(x)‖²`: the gradient penalty at the real samples, centred on 0 (the paper's eq. for
    R1, in its notation); the same penalty as `gp:at=real,target=0,weight=gamma/2`, which computes it.

    Parameters: `gamma` (20). The default and the recipe follow the paper's code (github.com/LMescheder/
    GAN_stability at de65a61): `configs/default.yaml` sets reg_param 10 (line 22), which `gan_training/train.py`
    applies as `reg_param * E‖∇D‖²` (line 53; `compute_grad2`, lines 123-132, sums the squared gradient per
    sample), without the paper's 1/2: gamma = 20 in the paper's notation. (StyleGAN2 writes the same penalty
    with its 1/2 and gamma 10, a penalty half as strong.) The same config trains the non-saturating loss
    (`gan_type: standard`, line 20; `loss=ns` here), one critic step per generator step (`d_steps: 1`, line 40)
    and RMSprop with lr 1e-4 for both networks (lines 35-37): r1's recipe sets all of them, and a config's own
    `loss`, `n_critic` or optimizer wins.
    """

    gamma: float = 20.0
    at: ClassVar[str] = "real"
    cost = "a double backward through the critic"
    traits = frozenset({Trait.DOUBLE_BACKWARD})
    recipe = OptimizerRecipe(
        "rmsprop",
        1e-4,
        loss="ns",
        n_critic=1,
        source="GAN_stability configs/default.yaml lines 20, 22, 35-37, 40; gan_training/train.py line 53",
    )

    def __post_init__(self) -> None:
        require(self.gamma >= 0, f"{self.name}: gamma must be 0 or more, got {self.gamma}; its code's default is 20.")
        self.zero_centred = GradientPenalty(weight=self.gamma / 2, target=0.0, at=self.at)

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return self.zero_centred.penalty(critic, real, fake)
