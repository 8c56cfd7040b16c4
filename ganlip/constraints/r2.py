"""R2, the zero-centred gradient penalty at generated samples, by its name (Mescheder et al. 2018)."""

from __future__ import annotations

from ganlip.constraints.base import register
from ganlip.constraints.r1 import R1


@register("r2")
class R2(R1):
    """`gamma/2 E_fake ‖∇D(x)‖²`: R1's penalty at the generated samples; the same penalty as
    `gp:at=fake,target=0,weight=gamma/2`. Parameters and recipe as `r1`."""

    at = "fake"
