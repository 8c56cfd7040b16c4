"""Bidirectional scaled spectral normalization (Lin, Sekar & Fanti 2021, "Why Spectral Normalization Stabilizes
GANs: Analysis and Improvements", NeurIPS)."""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.constraints.base import Constraint, OptimizerRecipe, Trait, register, reparametrize, require
from ganlip.layers import WARMUP_ITERATIONS, power_iteration, weight_matrix


def transposed_matrix(weight: Tensor) -> Tensor:
    """A convolution's kernel `(out, in, *k)` as the matrix `(in, out * kernel)`: its fan-out side."""
    return weight.transpose(0, 1).flatten(1)


def tracked_sigma(matrix: Tensor, u: Tensor, eps: float) -> Tensor:
    """One power step from the stored `u`, differentiated through (`v` and the new `u` are functions of the
    weight, as in the source's TensorFlow graph), and `σ ≈ u'ᵀ W v`; `u` advances in place."""
    v = F.normalize(matrix.t() @ u.clone(), dim=0, eps=eps)  # a copy: the graph keeps it, `u` changes in place
    advanced = F.normalize(matrix @ v, dim=0, eps=eps)
    u.copy_(advanced.detach())
    return torch.dot(advanced, matrix @ v)


class BidirectionalSpectralNormalization(nn.Module):
    """A parametrization: a convolution's kernel divided by the mean of two spectral norms, of its matrix
    `(out, in * kernel)` (SN's, the fan-in side) and of `(in, out * kernel)` (the fan-out side), then multiplied
    by `scale`; a Linear weight by its spectral norm, times `scale`. One power step per training-mode call."""

    def __init__(self, weight: Tensor, scale: float, eps: float = 1e-12):
        super().__init__()
        self.scale, self.eps = scale, eps
        self.bidirectional = weight.dim() > 2
        matrices = [weight_matrix(weight.detach())] + ([transposed_matrix(weight.detach())] * self.bidirectional)
        for index, matrix in enumerate(matrices):
            u = F.normalize(torch.randn_like(matrix[:, 0]), dim=0, eps=eps)
            power_iteration(matrix, u, F.normalize(torch.randn_like(matrix[0]), dim=0), WARMUP_ITERATIONS, eps)
            self.register_buffer(f"u{index}", u)

    def forward(self, weight: Tensor) -> Tensor:
        with torch.autocast(weight.device.type, enabled=False):  # σ in the weight's own precision, under AMP too
            matrices = [weight_matrix(weight)] + ([transposed_matrix(weight)] * self.bidirectional)
            sigmas = []
            for index, matrix in enumerate(matrices):
                u = getattr(self, f"u{index}")
                if self.training:
                    sigmas.append(tracked_sigma(matrix, u, self.eps))
                else:
                    v = F.normalize(matrix.t() @ u, dim=0, eps=self.eps)
                    sigmas.append(torch.dot(u, matrix @ v))
            return weight * (self.scale / torch.stack(sigmas).mean().clamp_min(self.eps))


@register("bssn")
class BidirectionalScaledSpectralNorm(Constraint):
    """Use `scale · W / ((σ(W_fan-in) + σ(W_fan-out)) / 2)` for every critic convolution and `scale · W / σ(W)`
    for every Linear layer. SN divides a convolution by the norm of its `(out, in · kernel)` matrix, which, the
    paper shows, keeps the critic's gradients from exploding as LeCun's initialization does; averaging with the
    norm of `(in, out · kernel)` is Xavier's fan-in/fan-out average (BSN), and `scale` a constant gain for every
    layer, as Kaiming's (BSSN). Neither average nor gain keeps a layer 1-Lipschitz: the mean of the two norms can be
    near half the fan-in one, so a layer can reach `2 · scale` times SN's bound.

    Parameters: `scale` (1: BSN), `eps` (1e-12). From the authors' code (github.com/fjxmlzn/BSN at 10862a2):
    `no_gamma-CNN/gan/op.py` lines 122-150 (both σ, their mean, the scale), `gan/sn.py` lines 15-58 (one power
    step per forward pass, differentiated through, the kernel transposed to `(k, k, out, in)` for the second σ;
    dense layers by their one σ, `op.py` lines 21-30). The scale has no single default there: `config.py`
    sweeps 0.7 to 4.0 on CIFAR-10 and 0.7 to 1.6 on STL-10 and CelebA (lines 37, 52, 67) beside scale 1.
    Recipe: `config.py` lines 11, 24-37 (Adam 1e-4, betas (0.5, 0.999), one critic step per generator step,
    batch 64), the hinge loss of `gan/gan.py` lines 114-125.
    """

    scale: float = 1.0
    eps: float = 1e-12
    kind = "reparametrization"
    cost = "one differentiated power step per layer, two for a convolution"
    traits = frozenset({Trait.NORMALIZES})
    recipe = OptimizerRecipe(
        "adam", 1e-4, (0.5, 0.999), loss="hinge", n_critic=1, source="BSN no_gamma-CNN config.py lines 11, 24-37"
    )
    stack_order = 1

    def __post_init__(self) -> None:
        require(self.scale > 0, f"bssn: scale must be positive, got {self.scale}; the paper sweeps 0.7 to 4.0.")
        require(self.eps > 0, f"bssn: eps must be positive, got {self.eps}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        return reparametrize(
            critic, lambda layer: BidirectionalSpectralNormalization(cast(Tensor, layer.weight), self.scale, self.eps)
        )
