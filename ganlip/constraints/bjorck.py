"""Björck orthonormalization (Anil, Lucas & Grosse 2019, "Sorting out Lipschitz function approximation", ICML)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip import reporting
from ganlip.constraints.base import Constraint, Trait, register, reparametrize, require, require_one_of
from ganlip.constraints.sn import MODES, SpectralNorm
from ganlip.layers import CONV_LAYERS, orthonormality_residual, weight_matrix


def bjorck(matrix: Tensor, beta: float, n_iter: int) -> Tensor:
    """The nearest matrix with orthonormal columns (rows, when it is wide), approached by `n_iter` first-order
    Björck steps `A ← (1 + β) A - β A AᵀA`. The iteration maps each singular value `σ ↦ (1 + β)σ - βσ³`, which
    keeps `[0, 1]` in `[0, 1]` for `β ≤ 0.5` and moves every positive `σ` towards 1, so it starts from
    `A / sqrt(‖A‖₁ ‖A‖_∞)`, whose singular values are at most 1 by Hölder's inequality: the result has spectral
    norm at most 1 after any number of steps.

    For a long matrix `A` (m x s, m > 1.5 s; a convolution's `in * kernel` columns against its `out` rows) the
    same steps run on s x s matrices: the iterate is `A P` with Gram matrix `S = PᵀAᵀAP`, a step is
    `Q = (1 + β) I - β S`, `P ← P Q`, `S ← Q S Q`, which costs `3 s³` instead of `2 m s²`. It tracks `S` rather
    than recomputing it from `P`, which keeps it as stable as the plain iteration (`S → I`)."""
    wide = matrix.shape[0] < matrix.shape[1]
    a = matrix.T if wide else matrix
    a = a / (a.abs().sum(0).max() * a.abs().sum(1).max()).sqrt().clamp_min(1e-12)
    if a.shape[0] > 1.5 * a.shape[1]:
        identity = torch.eye(a.shape[1], dtype=a.dtype, device=a.device)
        p, gram = identity, a.T @ a
        for _ in range(n_iter):
            q = (1 + beta) * identity - beta * gram
            p, gram = p @ q, q @ gram @ q
        a = a @ p
    else:
        for _ in range(n_iter):
            a = (1 + beta) * a - beta * a @ (a.T @ a)
    return a.T if wide else a


class BjorckOrthonormalization(nn.Module):
    """A parametrization: the weight, as its matrix `(out, in * kernel)`, replaced by its Björck
    orthonormalization, differentiated through (the iteration runs in the forward pass, as in the paper).
    It promises orthonormal rows or columns, so measurements report how far the weight is from them."""

    orthonormalizes = True

    def __init__(self, beta: float, n_iter: int):
        super().__init__()
        self.beta, self.n_iter = beta, n_iter

    def forward(self, weight: Tensor) -> Tensor:
        with torch.autocast(weight.device.type, enabled=False):  # the iteration in the weight's own precision
            matrix = bjorck(weight_matrix(weight), self.beta, self.n_iter)
        if reporting.collecting():  # how far this step's iterations got: the mean over layers of max |AᵀA − I|
            with torch.no_grad():
                reporting.report("bjorck/orthonormality_residual", orthonormality_residual(matrix))
        return matrix.reshape(weight.shape)


@register("bjorck")
class Bjorck(Constraint):
    """Use the Björck orthonormalization of every critic weight, as its `(out, in * kernel)` matrix: its singular
    values go to 1, so each Linear layer is 1-Lipschitz, and with `--set critic_activation=groupsort` (MaxMin on
    pairs of units) a critic of square Linear layers preserves gradient norms: `‖∇D‖ = 1` almost everywhere, as the
    paper's GroupSort networks. Where a layer narrows (the toy critic's 2 → 512 input layer) the gradient norm is
    at most 1, not equal to it.

    A convolution so orthonormalized is not 1-Lipschitz: its matrix has norm 1, the convolution as an operator
    up to about `sqrt(kernel area / stride²)` more (a 4x4 stride-2 convolution covers each pixel 4 times: norm 2;
    the 32-px DCGAN critic's layers measure 2.0, 1.55, 1.48 at initialization), so a Björck DCGAN is neither
    1-Lipschitz nor gradient-norm preserving. `mode=operator` divides each orthonormalized convolution by its
    norm as an operator on the layer's input shape, by power iteration as `sn:mode=operator` (one step per
    critic step, so a lower estimate that can leave it a little above 1): 1-Lipschitz, but no longer orthogonal.

    The iteration runs `n_iter` steps and does not always converge in them: a badly conditioned weight keeps
    singular values well below 1 (on default-initialized 32x32 layers, 3 in 40 keep max |WᵀW − I| above 1e-2
    after 20 steps). Measurements log that residual per layer (`orthonormality/LAYER`, and `ganlip inspect`),
    so that a layer that is not what the strategy promises is seen; more steps (`n_iter=40`) close it.

    Parameters: `beta` (0.5, the paper's), `n_iter` (20 steps per critic step, the default of the authors'
    `bjorck_orthonormalize`, github.com/cemanil/LNets at 285fdd1, `lnets/utils/math/projections/l2_ball.py`
    line 7; their GAN critic sets 12, `lnets/tasks/gan/models/LWGAN.py` line 68, their Wasserstein estimation
    config 27), `mode` (matrix | operator). The iteration starts from the weight divided by
    `sqrt(‖W‖₁ ‖W‖_∞)`, a bound on σ(W), where the authors' code divides by `sqrt(rows · cols)`, which bounds σ
    only for entries of size at most 1. Recipe: the authors' WGAN config (`lnets/tasks/gan/configs/
    train_LWGAN.json`) trains with Adam, betas (0.5, 0.999), lr 2e-3 for the critic and 2e-4 for the generator,
    which one learning rate cannot express; ganlip takes SNGAN's optimizer (Adam 2e-4, betas (0, 0.9)), as for
    the other normalizations.
    """

    beta: float = 0.5
    n_iter: int = 20
    mode: str = "matrix"
    kind = "reparametrization"
    cost = "n_iter products of each layer's matrix with its Gram matrix, differentiated through"
    traits = frozenset({Trait.NORMALIZES})
    critic_activation = "groupsort"  # what its source pairs it with (Anil et al.): ReLU would lose gradient norm
    recipe = SpectralNorm.recipe
    stack_order = 1

    def __post_init__(self) -> None:
        require(
            0 < self.beta <= 0.5,
            f"bjorck: beta must be in (0, 0.5] (above, a step can push a singular value past 1), got {self.beta}.",
        )
        require(self.n_iter >= 1, f"bjorck: n_iter must be at least 1, got {self.n_iter}; the paper uses 20.")
        require_one_of("bjorck", "mode", self.mode, MODES)

    def attach(self, critic: nn.Module) -> nn.Module:
        critic = reparametrize(critic, lambda layer: BjorckOrthonormalization(self.beta, self.n_iter))
        if self.mode == "operator":
            by_operator = SpectralNorm(mode="operator")
            critic = reparametrize(
                critic, lambda layer: by_operator.normalization(layer) if isinstance(layer, CONV_LAYERS) else None
            )
        return critic
