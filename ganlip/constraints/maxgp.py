"""The maximum gradient penalty of Lipschitz GANs (Zhou, Liang, Song, Yu, Wang, Zhang & Zhang 2019, "Lipschitz
Generative Adversarial Nets", ICML)."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import OptimizerRecipe, Penalty, Trait, register, require
from ganlip.constraints.gp import paired_points, require_pairs
from ganlip.gradients import input_gradient_norms


@register("maxgp")
class MaxGradientPenalty(Penalty):
    """`weight * max_i ‖∇D(x_i)‖²` over the batch's real/fake interpolates: the steepest slope the batch finds
    is pushed down, with no target of 1, so that the penalty estimates the critic's Lipschitz constant itself
    rather than its mean slope (LGAN, section 5). The gradient is taken with `create_graph=True`, a double
    backward as `gp`'s.

    Parameters: `weight` (10), `at` (interp | real | fake | both), `pairs` (same | any), as for `gp`. The
    default and the recipe are StudioGAN's (github.com/POSTECH-CVLab/PyTorch-StudioGAN at 947b35e):
    `src/configs/CIFAR10/LGAN.yaml` lines 1-11 (`apply_maxgp: True`, `maxgp_lambda: 10.0`, `adv_loss: vanilla`,
    Adam betas (0, 0.9)), with the lr 2e-4 and the five critic steps of `src/config.py` (lines 232-234, 254);
    the penalty is `cal_maxgrad_penalty`, `src/utils/losses.py` lines 337-352 (one interpolation weight per
    sample, the batch's largest squared norm). Its "vanilla" loss is the non-saturating one (`loss=ns` here).
    The authors' own code (github.com/ZhimingZhou/LGANs-for-reproduce at d9b6b1d, `code/sobolev_cifar10.py`
    lines 28-35, 354-357) weighs it 0.1 with their exponential loss, which ganlip does not have.
    """

    weight: float = 10.0
    at: str = "interp"
    pairs: str = "same"
    cost = "a double backward through the critic"
    traits = frozenset({Trait.DOUBLE_BACKWARD, Trait.BATCH_COUPLED})  # the maximum over the whole batch
    recipe = OptimizerRecipe(
        "adam",
        2e-4,
        (0.0, 0.9),
        loss="ns",
        n_critic=5,
        source="StudioGAN configs/CIFAR10/LGAN.yaml lines 1-11; config.py lines 232-234, 254",
    )

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"maxgp: weight must be 0 or more, got {self.weight}; StudioGAN uses 10.")
        require_pairs("maxgp", self.at, self.pairs)

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        points = paired_points(self.at, self.pairs, real, fake)
        return self.weight * input_gradient_norms(critic, points, create_graph=True).square().max()
