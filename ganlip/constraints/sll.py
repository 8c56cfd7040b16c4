"""SDP-based Lipschitz layers (Araujo et al. 2023, SLL): the critic built from 1-Lipschitz residual blocks."""

from __future__ import annotations

from ganlip.constraints.base import Constraint, Trait, register
from ganlip.constraints.sn import SpectralNorm


@register("sll")
class SDPLipschitzLayers(Constraint):
    """Train the `sll` critic in place of the architecture's: the input zero-padded to 45 channels, 20 residual
    blocks `x − 2Kᵀ(t ⊙ ReLU(Kx + b))` whose scaling `t` (from the absolute Gram matrix of the kernels) makes
    each 1-Lipschitz for any weights, a 4x4 pooling of norm 1, 7 dense blocks of the same form and a Linear
    layer with a unit-length row (on points: 2 dense blocks of width 512). No constraint is added: the critic is
    1-Lipschitz by construction, so `sll+gp` adds a penalty to it. The generator is the architecture's.

    The blocks and sizes are the source's "small" network with the dense blocks narrowed to the SNGAN critic's
    parameter count (`ganlip.models.sll` cites file and line). Recipe: the paper trains classifiers (Adam 0.01);
    ganlip takes SNGAN's optimizer, as for the other constructions. A class-conditional critic is refused.
    """

    kind = "architecture"
    critic = "sll"
    cost = "its own critic: 20 residual convolutions of 45 channels and 7 dense blocks (1.05M parameters at 32 px)"
    traits = frozenset({Trait.OWN_CRITIC})
    recipe = SpectralNorm.recipe

    def conditional_refusal(self) -> str | None:
        return f"{self.name} is a critic of its own with no class projection; use sn or aol on a conditional critic."
