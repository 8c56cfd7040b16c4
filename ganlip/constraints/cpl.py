"""Convex potential layers (Meunier et al. 2022, CPL): the critic built from 1-Lipschitz residual blocks."""

from __future__ import annotations

from ganlip.constraints.base import register
from ganlip.constraints.sll import SDPLipschitzLayers


@register("cpl")
class ConvexPotentialLayers(SDPLipschitzLayers):
    """Train the `cpl` critic in place of the architecture's: the input zero-padded to 30 channels, 20 residual
    blocks `x − (2/‖K‖²) Kᵀ ReLU(Kx + b)`, gradient steps on convex potentials that are 1-Lipschitz once `‖K‖`
    (power iteration: one step per call in training; in evaluation the current estimate, not moved, where the
    source runs 100) is reached, a 4x4 pooling of norm 1, 7
    dense blocks of the same form and a Linear layer with a unit-length row (on points: 2 dense blocks of width
    512). No constraint is added; the generator is the architecture's.

    The blocks and sizes are the source's with the dense blocks narrowed to the SNGAN critic's parameter count
    (`ganlip.models.cpl` cites file and line). Recipe: SNGAN's optimizer, as for `sll`. A class-conditional
    critic is refused.
    """

    critic = "cpl"
    cost = (
        "its own critic: 20 residual convolutions of 30 channels and 7 dense blocks (1.05M parameters at 32 px), "
        "one power step per block per call"
    )
