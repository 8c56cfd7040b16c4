"""Björck orthonormalization (Anil, Lucas & Grosse 2019, "Sorting out Lipschitz function approximation", ICML)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.constraints.base import Constraint, register, reparametrize, require
from ganlip.constraints.sn import SpectralNorm
from ganlip.layers import weight_matrix


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
    orthonormalization, differentiated through (the iteration runs in the forward pass, as in the paper)."""

    def __init__(self, beta: float, n_iter: int):
        super().__init__()
        self.beta, self.n_iter = beta, n_iter

    def forward(self, weight: Tensor) -> Tensor:
        with torch.autocast(weight.device.type, enabled=False):  # the iteration in the weight's own precision
            return bjorck(weight_matrix(weight), self.beta, self.n_iter).reshape(weight.shape)


@register("bjorck")
class Bjorck(Constraint):
    """Use the Björck orthonormalization of every critic weight: its singular values go to 1, so each layer is
    1-Lipschitz, and with `--set critic_activation=groupsort` (MaxMin on pairs of units) a critic of square
    layers preserves gradient norms: `‖∇D‖ = 1` almost everywhere, as the paper's GroupSort networks. Where a
    layer narrows (the toy critic's 2 → 512 input layer) the gradient norm is at most 1, not equal to it.

    Parameters: `beta` (0.5, the paper's), `n_iter` (20 steps per critic step, the default of the authors' code,
    github.com/cemanil/LNets at 285fdd1, `BjorckLinear`; its Wasserstein estimation config runs 27). The
    iteration starts from the weight divided by `sqrt(‖W‖₁ ‖W‖_∞)`, a bound on σ(W), where the authors' code
    divides by `sqrt(rows · cols)`, which bounds σ only for entries of size at most 1. Convolutions are
    orthonormalized as their `(out, in * kernel)` matrix, which bounds that matrix's norm, not the convolution's
    (as `sn`'s matrix mode). Recipe: the authors' WGAN config (`lnets/tasks/gan/configs/train_LWGAN.json`) trains
    with Adam, betas (0.5, 0.999), lr 2e-3 for the critic and 2e-4 for the generator, which one learning rate
    cannot express; ganlip takes SNGAN's optimizer (Adam 2e-4, betas (0, 0.9)), as for the other normalizations.
    """

    beta: float = 0.5
    n_iter: int = 20
    kind = "reparametrization"
    cost = "n_iter products of each layer's matrix with its Gram matrix, differentiated through"
    recipe = SpectralNorm.recipe
    stack_order = 1
    normalizes = True

    def __post_init__(self) -> None:
        require(
            0 < self.beta <= 0.5,
            f"bjorck: beta must be in (0, 0.5] (above, a step can push a singular value past 1), got {self.beta}.",
        )
        require(self.n_iter >= 1, f"bjorck: n_iter must be at least 1, got {self.n_iter}; the paper uses 20.")

    def attach(self, critic: nn.Module) -> nn.Module:
        return reparametrize(critic, lambda layer: BjorckOrthonormalization(self.beta, self.n_iter))
