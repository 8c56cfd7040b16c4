"""The quadratic potential of GAN-QP (Su 2018, "GAN-QP: A Novel GAN Framework without Gradient Vanishing and
Lipschitz Constraint"): no constraint on the critic, a penalty that makes the best critic 1/λ-Lipschitz-like."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import OptimizerRecipe, Penalty, register, require, require_one_of
from ganlip.gradients import at_least_float32, scores

NORMS = ("l1", "l2")


@register("qp")
class QuadraticPotential(Penalty):
    """`E[(D(x_r) - D(x_f))² / (2 scale d(x_r, x_f))]` over the batch's real/fake pairs, added to the WGAN critic
    loss: GAN-QP's critic objective `E[-Δ + Δ² / (2λ d)]` (the paper's eq. 16, λ = `scale`). The critic is left
    unconstrained; for each pair the objective is best at `Δ = λ d`, so the penalty replaces the Lipschitz
    constraint by a quadratic cost of differences that outgrow the distance between the samples. `d` is the
    per-pixel mean of `|x_r - x_f|` (`norm=l1`) or the root of the per-pixel mean square (`l2`), as the source
    computes it. The generator's loss is WGAN's: GAN-QP's `E[D(x_r) - D(x_f)]` has the same gradient in G.

    Parameters: `scale` (λ = 10), `norm` (l2 | l1). Default and recipe from the author's code (github.com/bojone/
    gan-qp at f81ec73, `128/gan_qp_l2.py`): λ = 10 and the L2 distance (lines 184-187), Adam 2e-4 betas
    (0.5, 0.999) (lines 190, 209; Keras's default β2), two critic steps per generator step (lines 250-258); its
    256- and 512-px scripts use the L1 distance (`256/gan_qp_l1.py` line 186). Costs one more forward pass of the
    critic on the real and fake batch, whose scores the penalty needs as pairs.
    """

    scale: float = 10.0
    norm: str = "l2"
    eps: float = 1e-12
    cost = "one more forward pass of the critic"
    recipe = OptimizerRecipe("adam", 2e-4, (0.5, 0.999), n_critic=2, source="gan-qp 128/gan_qp_l2.py lines 184-258")

    def __post_init__(self) -> None:
        require(self.scale > 0, f"qp: scale must be positive, got {self.scale}; GAN-QP's code uses 10.")
        require_one_of("qp", "norm", self.norm, NORMS)
        require(self.eps > 0, f"qp: eps must be positive, got {self.eps}.")

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        real_scores, fake_scores = scores(critic(real), len(real)), scores(critic(fake), len(fake))
        difference = at_least_float32(real_scores) - at_least_float32(fake_scores)  # not rounded in bf16
        gap = at_least_float32(real - fake).flatten(1)
        distance = gap.abs().mean(1) if self.norm == "l1" else gap.square().mean(1).sqrt()
        return (difference.square() / (2 * self.scale * distance.clamp_min(self.eps))).mean()
