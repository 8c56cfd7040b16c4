"""The network both residual Lipschitz families build (SLL's `LipschitzNetwork`, CPL's
`ConvexPotentialLayerNetwork`): inputs zero-padded to the working width, residual blocks that are 1-Lipschitz by
construction, for images a 4x4 pooling that is 1-Lipschitz too, dense residual blocks, and a last Linear layer
whose row is normalized to unit length. Every piece is 1-Lipschitz, so the critic is, with no constraint added.

Sources: github.com/araujoalexandre/Lipschitz-SLL-Networks at 87865db, `core/models/model.py` lines 21-57 and
`core/models/layers.py` (`PaddingChannels` lines 91-106, `LinearNormalized` lines 130-137);
github.com/MILES-PSL/Convex-Potential-Layer at c6dc197, `model.py` lines 8-44 and `layers.py` lines 117-162."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.errors import GanlipError

POOL = 4  # AvgPool2d(4, divisor_override=4): a 4x4 window's sum over 4, of norm 1 as a linear map


class ZeroPadChannels(nn.Module):
    """Append zero channels (or features) up to `width`: an isometry onto the working width."""

    def __init__(self, width: int):
        super().__init__()
        self.width = width

    def forward(self, x: Tensor) -> Tensor:
        padding = [0, 0] * (x.dim() - 2) + [0, self.width - x.shape[1]]
        return F.pad(x, padding)


class RowNormalizedLinear(nn.Linear):
    """A Linear layer that uses its weight's rows scaled to unit length: with one output, 1-Lipschitz."""

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, F.normalize(self.weight, dim=1), self.bias)


@dataclass(frozen=True)
class ResidualSizes:
    """`width` channels (images) or features (points), `convs` convolutional blocks with `conv_inner` channels
    inside, `denses` dense blocks with `dense_inner` features inside (`None`: the block's own width)."""

    width: int
    convs: int
    conv_inner: int
    denses: int
    dense_inner: int | None

    def with_width(self, width: int | None) -> ResidualSizes:
        return self if width is None else dataclasses.replace(self, width=width)


class ResidualLipschitzCritic(nn.Module):
    # Its blocks are not weighted layers, so a product of the weighted layers' norms bounds nothing (spectra).
    layer_bound_holds = False

    def __init__(
        self,
        data_shape: tuple[int, ...],
        sizes: ResidualSizes,
        conv_block: Callable[[int, int], nn.Module],
        dense_block: Callable[[int, int], nn.Module],
    ):
        super().__init__()
        channels = data_shape[0]
        if channels > sizes.width:
            raise GanlipError(
                f"the residual critic pads its input up to width {sizes.width}, but the data have {channels} "
                f"channels or features; use a width of at least {channels}."
            )
        layers: list[nn.Module] = [ZeroPadChannels(sizes.width)]
        features = sizes.width
        if len(data_shape) == 3:
            side = data_shape[-1]
            if side % POOL or data_shape[1] != side:
                raise GanlipError(
                    f"the residual critics pool square images by {POOL}; {data_shape[1]}x{side} px is not a "
                    f"multiple of {POOL} on each side; set --set resolution=32 or 64."
                )
            layers += [conv_block(sizes.width, sizes.conv_inner) for _ in range(sizes.convs)]
            layers += [nn.AvgPool2d(POOL, divisor_override=POOL), nn.Flatten()]
            features = sizes.width * (side // POOL) ** 2
        layers += [dense_block(features, sizes.dense_inner or features) for _ in range(sizes.denses)]
        self.blocks = nn.Sequential(*layers)
        self.output = RowNormalizedLinear(features, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.output(self.blocks(x)).flatten()
