"""Frobenius normalization: the cheap, loose cousin of spectral normalization."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import Constraint, Trait, register, reparametrize, require
from ganlip.constraints.sn import SpectralNorm


class FrobeniusNormalization(nn.Module):
    """A parametrization: `W ↦ c * W / ‖W‖_F`. Since `‖W‖_2 <= ‖W‖_F`, the layer is at most c-Lipschitz."""

    def __init__(self, c: float = 1.0, eps: float = 1e-12):
        super().__init__()
        self.c = c
        self.eps = eps

    def forward(self, weight: Tensor) -> Tensor:
        return weight * (self.c / weight.norm().clamp_min(self.eps))


@register("fn")
class FrobeniusNorm(Constraint):
    """Use `c * W / ‖W‖_F` in every critic layer. The effective weight has Frobenius norm `c`, hence spectral
    norm at most `c`; it over-constrains (a smaller Wasserstein estimate than `sn`).

    Parameters: `c` (default 1). Touches the weight of every Linear and Conv layer of the critic.
    Recipe: as spectral normalization, Adam 2e-4, betas (0, 0.9).
    """

    c: float = 1.0
    kind = "reparametrization"
    cost = "one norm per layer"
    traits = frozenset({Trait.NORMALIZES})
    recipe = SpectralNorm.recipe
    stack_order = 1

    def __post_init__(self) -> None:
        require(self.c > 0, f"fn: c must be positive, got {self.c}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        return reparametrize(critic, lambda layer: FrobeniusNormalization(self.c))
