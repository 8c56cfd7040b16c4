"""One-sided gradient penalty, the "relu" variant (Petzka et al. 2018, WGAN-LP)."""

from __future__ import annotations

from ganlip.constraints.base import register
from ganlip.constraints.gp import GradientPenalty


@register("lp")
class OneSidedGradientPenalty(GradientPenalty):
    """`weight * E[max(‖∇D(x)‖ - target, 0)²]`: only slopes above the target are penalized, which matches the
    constraint `Lip(D) <= 1` rather than `= 1`.

    Parameters: `weight` (10), `target` (1), `at` (interp | real | fake | both), `pairs` (same | any), as for `gp`.
    Recipes: WGAN-GP's, on images and on toys (weight 0.1 there): WGAN-LP's experiments start from WGAN-GP's
    code and settings, so `lp` differs from `gp` only in the penalty's one side.
    """

    one_sided = True
