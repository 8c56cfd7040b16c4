"""DRAGAN's gradient penalty around the real data (Kodali, Abernethy, Hays & Kira 2017, "On Convergence and
Stability of GANs")."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.constraints.base import OptimizerRecipe, Penalty, Trait, register, require
from ganlip.constraints.gp import gradient_penalty


@register("dragan")
class Dragan(Penalty):
    """`weight E[(‖∇D(x̂)‖ - target)²]` around the real samples, at `x̂ = x + α δ`: a perturbation `δ = c · std(x) · u`,
    `u ~ U[0, 1]` drawn per coordinate and `std(x)` the standard deviation of the whole real batch, and a random
    point on the segment from `x` to `x + δ`, `α ~ U[0, 1]` per sample. Both follow the authors' code
    (github.com/kodalinaveen3/DRAGAN, `DRAGAN.ipynb`, second code cell: the perturbation at lines 18-19, `α` and
    the interpolation at lines 87-93), with its `c = 0.5` and `λ = 10` (line 14); the paper's text writes
    Gaussian noise. `interpolate=false` penalizes at `x + δ` itself. Unlike WGAN-GP's interpolates the points never
    depend on the generated samples: the critic is kept smooth around the data only.

    Parameters: `weight` (10), `target` (1), `c` (0.5), `interpolate` (true). The batch's standard deviation makes
    the penalty a function of the whole batch, so it is refused under DDP. Recipe: the notebook trains with Adam
    1e-4, betas (0.5, 0.9) (lines 99-100), WGAN-GP's optimizer, which ganlip takes, on 2-D toys too, where its
    weight stays 10 (WGAN-GP's 0.1 there is a choice for interpolates, not a DRAGAN setting). The notebook's loss
    is the non-saturating one with one critic step per generator step (lines 81-84, 114); ganlip trains `dragan`
    with the run's loss (WGAN's unless set: `--set loss=ns --set n_critic=1` is the notebook's), as a Lipschitz
    strategy for a WGAN critic.
    """

    weight: float = 10.0
    target: float = 1.0
    c: float = 0.5
    interpolate: bool = True
    cost = "a double backward through the critic"
    traits = frozenset({Trait.DOUBLE_BACKWARD, Trait.BATCH_COUPLED})
    recipe = OptimizerRecipe("adam", 1e-4, (0.5, 0.9), source="DRAGAN.ipynb cell 2 lines 99-100")

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"dragan: weight must be 0 or more, got {self.weight}; the paper uses 10.")
        require(self.target >= 0, f"dragan: target must be 0 or more, got {self.target}.")
        require(self.c > 0, f"dragan: c must be positive, got {self.c}; the paper uses 0.5.")

    def points(self, real: Tensor) -> Tensor:
        real = real.detach()
        offset = self.c * real.std() * torch.rand_like(real)
        if self.interpolate:
            offset = offset * torch.rand((len(real),) + (1,) * (real.dim() - 1), device=real.device, dtype=real.dtype)
        return real + offset

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return gradient_penalty(critic, self.points(real), self.weight, self.target)
