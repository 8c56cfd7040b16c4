"""One-sided gradient penalty, the "relu" variant (Petzka et al. 2018, WGAN-LP)."""

from __future__ import annotations

from dataclasses import dataclass

from ganlip.constraints.base import register
from ganlip.constraints.gp import GradientPenalty


@register("lp")
@dataclass
class OneSidedGradientPenalty(GradientPenalty):
    """`weight * E[max(‖∇D(x̂)‖ - 1, 0)²]` on interpolates: only slopes above 1 are penalized, which matches
    the constraint `Lip(D) <= 1` rather than `= 1`.

    Parameters: `weight` (default 10). Paper recipe as WGAN-GP: Adam 1e-4, betas (0, 0.9).
    """

    one_sided = True
