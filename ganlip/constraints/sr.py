"""Spectral regularization against spectral collapse (Liu, Tang, Xie, Xiang, Cheng & Sun 2019, "Spectral
Regularization for Combating Mode Collapse in GANs", ICCV)."""

from __future__ import annotations

import torch
from torch import nn

from ganlip.constraints.base import OptimizerRecipe, register, require
from ganlip.constraints.sn import SpectralNorm
from ganlip.layers import CONV_LAYERS, raw_weight, weight_matrix, weighted_layers


@torch.no_grad()
def flatten_top_half(matrix: torch.Tensor) -> torch.Tensor:
    """`U diag(s') Vᵀ` with `s' = s / s₁` and its larger half set to 1: the top half of the spectrum raised to
    the largest singular value, the matrix rescaled to spectral norm 1 (SR-GAN's static compensation)."""
    u, s, vh = torch.linalg.svd(matrix.double(), full_matrices=False)
    s = s / s[0].clamp_min(1e-12)
    s[: len(s) // 2] = 1
    return ((u * s) @ vh).to(matrix.dtype)


@register("sr")
class SpectralRegularization(SpectralNorm):
    """SN, and every `every` critic steps each convolution's raw weight replaced by its matrix `(out, in ·
    kernel)` with the top half of its singular values set to the largest: spectral collapse, many singular
    values falling far below the first, goes with mode collapse in SN-GANs, and this static compensation undoes
    it (the paper's section 4). A projection after the optimizer step, differentiated nowhere; SN then divides by
    σ as usual. Linear layers are left to SN alone.

    Parameters: SN's (`n_iter`, `eps`, `mode`, `sigma_grad`) and `every` (5). From the authors' code
    (github.com/max-liu-112/SRGANs-Spectral-Regularization-GANs- at f6897b5): `updater.py` lines 12-25 (the SVD,
    `s / max(s)`, `s[:len(s)//2] = 1`, only the SN convolutions), applied on iterations divisible by `n_SR = 5`
    (lines 58, 133-134) after each of that iteration's critic steps; here on one critic step in `every`: the
    same share of critic steps, spread over every generator step rather than bunched in one in five. The
    paper's dynamic variant (the ImageNet code's running maximum of `s / s₁`) is not
    implemented. Recipe: `configs/sr.yml` (hinge loss, Adam 2e-4, betas (0, 0.9), five critic steps).
    """

    every: int = 5
    cost = "sn's, and an SVD of every convolution's matrix on one critic step in `every`"
    recipe = OptimizerRecipe("adam", 2e-4, (0.0, 0.9), loss="hinge", n_critic=5, source="SRGANs configs/sr.yml")

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.every >= 1, f"sr: every must be at least 1, got {self.every}; the paper's code uses 5.")

    def projects_at(self, critic_step: int) -> bool:
        return critic_step % self.every == 0

    @torch.no_grad()
    def after_step(self, critic: nn.Module) -> None:
        for _, layer in weighted_layers(critic):
            if isinstance(layer, CONV_LAYERS):
                raw = raw_weight(layer)
                raw.copy_(flatten_top_half(weight_matrix(raw)).view_as(raw))
