"""The c-transform dual solver: no constraint, the critic's score on the fake batch replaced by the c-transform of
its scores on the real batch (the Wasserstein-1 benchmark's `WGAN-qp`, after Mallasto et al. 2019)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.constraints.base import Constraint, register
from ganlip.constraints.sn import SpectralNorm
from ganlip.gradients import at_least_float32, scores


@register("ctransform")
class CTransform(Constraint):
    """Maximize `E_x[D(x)] + E_y[D^c(y)]` over the real batch x and the fake batch y, with the c-transform taken
    over the real batch, `D^c(y) = min_i ‖x_i − y‖ − D(x_i)`: Kantorovich's dual with its second potential made
    from the first, which needs no Lipschitz constraint (`D^c` is 1-Lipschitz by construction, and the pair is
    feasible). As a term added to WGAN's critic loss `E[D(y)] − E[D(x)]` it is
    `E_y[D(x_{i*(y)}) − ‖x_{i*(y)} − y‖ − D(y)]`, with `i*(y)` chosen without gradient; the fake scores cancel.
    Use it with the WGAN loss (the default). `‖·‖` is the Euclidean norm of the whole sample.

    The critic is fitted at the real samples only. The W1 benchmark measures it there; in a GAN the generator
    follows `−D(G(z))` as in WGAN, with the critic's values off the data those its network extends to.
    Source: github.com/justkolesov/Wasserstein1Benchmark at 359d2b1, `src/methods.py` lines 227-254
    (`train_WGAN_qp`; `notebooks/test_nd.ipynb`: 25,000 iterations, Adam 2e-4 with the default betas (0.9,
    0.999)). Recipe: SNGAN's optimizer (betas (0, 0.9)), the W1 benchmark protocol's for every other critic.
    Costs two more forward passes of the critic and the batch's pairwise distances.
    """

    kind = "objective"
    cost = "two more forward passes of the critic and the real-fake distance matrix"
    recipe = SpectralNorm.recipe

    def conditional_refusal(self) -> str | None:
        return (
            f"{self.name} takes its c-transform over the whole real batch, across classes; use gp or sn on a "
            "conditional critic."
        )

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        real_scores = at_least_float32(scores(critic(real), len(real)))
        fake_scores = at_least_float32(scores(critic(fake), len(fake)))
        distances = torch.cdist(at_least_float32(fake).flatten(1), at_least_float32(real).flatten(1))
        with torch.no_grad():
            nearest = (distances - real_scores[None, :]).argmin(1)  # i*(y) for each fake row y
        chosen = torch.arange(len(fake), device=fake.device)
        transform = distances[chosen, nearest] - real_scores[nearest]  # D^c(y)
        return -transform.mean() - fake_scores.mean()
