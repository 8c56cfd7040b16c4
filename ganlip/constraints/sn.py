"""Spectral normalization (Miyato et al. 2018, SNGAN)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize

from ganlip.constraints.base import Constraint, OptimizerRecipe, register, require, weight_matrix, weighted_layers

# Iterations run once when a layer is attached, so that the first training step starts from a converged `u`.
WARMUP_ITERATIONS = 15


class SpectralNormalization(nn.Module):
    """A parametrization: `W ↦ W / σ(W)`, `σ` estimated by power iteration on the matrix `(out, in * kernel)`
    with a persistent `u` (SNGAN Algorithm 1). Gradients flow through `σ`. `u` and `v` advance `n_iter` steps
    each time the weight is computed in training mode; the trainer computes it once per critic step."""

    def __init__(self, weight: Tensor, n_iter: int = 1, eps: float = 1e-12):
        super().__init__()
        self.n_iter = n_iter
        self.eps = eps
        matrix = weight_matrix(weight.detach())
        self.register_buffer("u", F.normalize(torch.randn_like(matrix[:, 0]), dim=0, eps=eps))
        self.register_buffer("v", F.normalize(torch.randn_like(matrix[0]), dim=0, eps=eps))
        self.power_iteration(matrix, WARMUP_ITERATIONS)

    @torch.no_grad()
    def power_iteration(self, matrix: Tensor, n_iter: int) -> None:
        for _ in range(n_iter):
            self.v.copy_(F.normalize(matrix.t() @ self.u, dim=0, eps=self.eps))
            self.u.copy_(F.normalize(matrix @ self.v, dim=0, eps=self.eps))

    def sigma(self, weight: Tensor) -> Tensor:
        """`u^T W v`, differentiable in `W`; `u` and `v` are constants (cloned: the buffers change in place)."""
        return torch.dot(self.u.clone(), weight_matrix(weight) @ self.v.clone())

    def forward(self, weight: Tensor) -> Tensor:
        if self.training:
            self.power_iteration(weight_matrix(weight.detach()), self.n_iter)
        return weight / self.sigma(weight)


@register("sn")
@dataclass
class SpectralNorm(Constraint):
    """Use `W / σ(W)` in every critic layer (SNGAN eq. 8), so each layer's matrix has largest singular value 1.

    Parameters: `n_iter` power iterations per critic step (default 1), `eps` (default 1e-12, guards the
    normalization of `u` and `v`). Touches the weight of every Linear and Conv layer of the critic.
    Paper recipe: Adam, lr 2e-4, betas (0, 0.9); 5 critic steps per generator step for the WGAN loss.
    """

    n_iter: int = 1
    eps: float = 1e-12
    kind = "reparametrization"
    recipe = OptimizerRecipe("adam", 2e-4, (0.0, 0.9))

    def __post_init__(self) -> None:
        require(self.n_iter >= 1, f"sn: n_iter must be at least 1, got {self.n_iter}; SNGAN uses 1.")
        require(self.eps > 0, f"sn: eps must be positive, got {self.eps}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        for _, layer in list(weighted_layers(critic)):
            parametrize.register_parametrization(
                layer, "weight", SpectralNormalization(layer.weight, self.n_iter, self.eps)
            )
        return critic
