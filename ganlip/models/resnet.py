"""The WGAN-GP ResNets (Gulrajani et al. 2017): gan_cifar_resnet.py at 32 px (DIM 128: three up blocks of 128;
critic: a first block, one down block, two plain blocks, ReLU, mean pooling, Linear) and gan_64x64.py's
`GoodGenerator`/`GoodDiscriminator` at 64 px (DIM 64: G 8d-8d-4d-2d-d; critic: conv3x3 to d, down blocks to 2d,
4d, 8d, 8d, Linear on the 4x4x8d map). The critic has no normalization by default; `critic_norm=layer` adds
the layer norm the 64-px WGAN-GP model used.

Initialised as tflib does (see `resblocks`): Linears Glorot-uniform (linear.py line 55), the 64-px critic's
input convolution too (`he_init=False`, gan_64x64.py line 356), the 64-px generator's output convolution with
gain sqrt(2) (tflib's default `he_init`, gan_64x64.py line 215), biases zero."""

from __future__ import annotations

import itertools

from torch import Tensor, nn

from ganlip.errors import GanlipError
from ganlip.models.activations import relu
from ganlip.models.init import RESIDUAL_GAIN, glorot_
from ganlip.models.registry import register_model
from ganlip.models.resblocks import CriticBlock, FirstCriticBlock, ResNetGenerator, layer_norm, no_norm

NORMS = {"none": no_norm, "layer": layer_norm}
PAPER_WIDTH = {32: 128, 64: 64}


class ResNetCritic32(nn.Module):
    def __init__(self, channels: int, width: int, norm):
        super().__init__()
        self.blocks = nn.Sequential(
            FirstCriticBlock(channels, width),
            CriticBlock(width, width, downsample=True, norm=norm),
            CriticBlock(width, width, downsample=False, norm=norm),
            CriticBlock(width, width, downsample=False, norm=norm),
        )
        self.output = nn.Linear(width, 1)
        glorot_(self.output)

    def forward(self, x: Tensor) -> Tensor:
        return self.output(relu(self.blocks(x)).mean(dim=(2, 3))).flatten()


class ResNetCritic64(nn.Module):
    def __init__(self, channels: int, width: int, norm):
        super().__init__()
        widths = [width, 2 * width, 4 * width, 8 * width, 8 * width]
        self.input = nn.Conv2d(channels, width, 3, padding=1)
        self.blocks = nn.Sequential(
            *(CriticBlock(a, b, downsample=True, norm=norm) for a, b in itertools.pairwise(widths))
        )
        self.output = nn.Linear(4 * 4 * 8 * width, 1)
        glorot_(self.input)
        glorot_(self.output)

    def forward(self, x: Tensor) -> Tensor:
        return self.output(self.blocks(self.input(x)).flatten(1)).flatten()


@register_model("resnet", data_kind="images", resolutions=(32, 64), latent_dim=128, width=None, critic_norm="none")
def build_resnet(
    data_shape: tuple[int, ...], latent_dim: int, width: int | None, critic_norm: str
) -> tuple[nn.Module, nn.Module]:
    channels, resolution, _ = data_shape
    if critic_norm not in NORMS:
        raise GanlipError(f"critic_norm '{critic_norm}' is not valid for resnet; use none or layer.")
    width = width or PAPER_WIDTH[resolution]
    if resolution == 32:
        return ResNetGenerator(latent_dim, channels, [width] * 4), ResNetCritic32(channels, width, NORMS[critic_norm])
    widths = [8 * width, 8 * width, 4 * width, 2 * width, width]
    generator = ResNetGenerator(latent_dim, channels, widths, output_gain=RESIDUAL_GAIN)
    return generator, ResNetCritic64(channels, width, NORMS[critic_norm])
