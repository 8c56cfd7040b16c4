"""Off-diagonal orthogonal regularization (Brock et al. 2019, BigGAN)."""

from __future__ import annotations

from ganlip.constraints.base import register
from ganlip.constraints.ortho import OrthogonalRegularization


@register("ortho-offdiag")
class OffDiagonalOrthogonalRegularization(OrthogonalRegularization):
    """`weight * sum_l ‖(WᵀW) ⊙ (1 - I)‖_F²` (BigGAN eq. 3): the units' weight vectors are pushed to be
    orthogonal while their lengths stay free. Zero on orthogonal columns.

    Parameters: `weight` (1e-4, BigGAN's beta). Reads each Linear and Conv layer's effective weight.
    """

    off_diagonal_only = True
