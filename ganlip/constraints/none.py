"""No constraint: the unconstrained baseline every cost is measured against."""

from __future__ import annotations

from ganlip.constraints.base import Constraint, OptimizerRecipe, register


@register("none")
class NoConstraint(Constraint):
    """An unconstrained critic (its value is not a Wasserstein estimate). Adam 1e-4, betas (0, 0.9)."""

    kind = "none"
    recipe = OptimizerRecipe("adam", 1e-4, (0.0, 0.9))
