"""Residual blocks shared by the WGAN-GP and SNGAN ResNets (identical in structure: Gulrajani et al. 2017,
gan_cifar_resnet.py `ResidualBlock`; Miyato et al. 2018 via mimicry's `GBlock`/`DBlock`/`DBlockOptimized`).

Their initialisation is identical too: the 3x3 convolutions Glorot-uniform with gain sqrt(2) (tflib's
`he_init=True`, conv2d.py lines 62-70, in gan_cifar_resnet.py's `ResidualBlock`; `GlorotUniform(math.sqrt(2))`
in sngan_projection's dis_models/resblocks.py line 16 and gen_models/resblocks.py line 21), the 1x1 shortcuts
gain 1 (`he_init=False`, gan_cifar_resnet.py line 127; `GlorotUniform()`, resblocks.py lines 17 and 22),
biases zero (conv2d.py line 117; chainer's default)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.models.activations import relu
from ganlip.models.conditional import batch_norm, generator_labels, run_layers
from ganlip.models.init import RESIDUAL_GAIN, glorot_

Norm = Callable[[int], nn.Module]


def initialise(block: nn.Module) -> None:
    glorot_(block.conv1, RESIDUAL_GAIN)
    glorot_(block.conv2, RESIDUAL_GAIN)
    if block.shortcut is not None:
        glorot_(block.shortcut)


def no_norm(channels: int) -> nn.Module:
    return nn.Identity()


def layer_norm(channels: int) -> nn.Module:
    """Layer norm over (C, H, W) with a per-channel scale and shift, as WGAN-GP's tflib `Layernorm`."""
    return nn.GroupNorm(1, channels)


class GeneratorBlock(nn.Module):
    """BN-ReLU-[up]-conv3x3-BN-ReLU-conv3x3, plus a [up]-conv1x1 shortcut when the shape changes. Upsampling
    is nearest-neighbour (WGAN-GP's depth_to_space of copies; SNGAN's unpooling). With `classes`, both batch norms
    are class-conditional (SNGAN-projection's and mimicry's cGAN-PD `GBlock`)."""

    def __init__(self, in_channels: int, out_channels: int, upsample: bool = True, classes: int | None = None):
        super().__init__()
        self.upsample = upsample
        self.norm1, self.norm2 = batch_norm(in_channels, classes), batch_norm(out_channels, classes)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        learnable = in_channels != out_channels or upsample
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1) if learnable else None
        initialise(self)

    def _up(self, x: Tensor) -> Tensor:
        return F.interpolate(x, scale_factor=2, mode="nearest") if self.upsample else x

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.conv1(self._up(F.relu(run_layers([self.norm1], x, labels))))
        h = self.conv2(F.relu(run_layers([self.norm2], h, labels)))
        return h + (self.shortcut(self._up(x)) if self.shortcut is not None else x)


class CriticBlock(nn.Module):
    """[norm]-ReLU-conv3x3(in→in)-[norm]-ReLU-conv3x3(in→out)-[avgpool], plus a conv1x1-[avgpool] shortcut when
    the shape changes. No batch norm: `norm` is identity or a per-sample layer norm."""

    def __init__(self, in_channels: int, out_channels: int, downsample: bool = True, norm: Norm = no_norm):
        super().__init__()
        self.downsample = downsample
        self.norm1, self.norm2 = norm(in_channels), norm(in_channels)
        self.conv1 = nn.Conv2d(in_channels, in_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        learnable = in_channels != out_channels or downsample
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1) if learnable else None
        initialise(self)

    def _down(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, 2) if self.downsample else x

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv1(relu(self.norm1(x)))
        h = self._down(self.conv2(relu(self.norm2(h))))
        return h + (self._down(self.shortcut(x)) if self.shortcut is not None else x)


class FirstCriticBlock(nn.Module):
    """The first critic block on raw pixels: conv3x3-ReLU-conv3x3-avgpool, plus avgpool-conv1x1."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1)
        initialise(self)

    def forward(self, x: Tensor) -> Tensor:
        h = F.avg_pool2d(self.conv2(relu(self.conv1(x))), 2)
        return h + self.shortcut(F.avg_pool2d(x, 2))


class ResNetGenerator(nn.Module):
    """Linear(latent → bottom² x widths[0]), one upsampling block per consecutive pair of `widths`, then
    BN-ReLU-conv3x3 to the image and tanh. The Linear is Glorot-uniform, the last convolution Glorot-uniform
    with `output_gain` (1 in gan_cifar_resnet.py line 161 and SNGAN; sqrt(2) in gan_64x64.py line 215)."""

    def __init__(
        self,
        latent_dim: int,
        channels: int,
        widths: list[int],
        bottom: int = 4,
        output_gain: float = 1.0,
        classes: int | None = None,
    ):
        super().__init__()
        self.latent_dim, self.bottom, self.first, self.classes = latent_dim, bottom, widths[0], classes
        self.input = nn.Linear(latent_dim, bottom * bottom * widths[0])
        self.blocks = nn.Sequential(*(GeneratorBlock(a, b, classes=classes) for a, b in itertools.pairwise(widths)))
        self.output = nn.Sequential(
            nn.BatchNorm2d(widths[-1]), nn.ReLU(), nn.Conv2d(widths[-1], channels, 3, padding=1), nn.Tanh()
        )
        glorot_(self.input)
        glorot_(self.output[2], output_gain)

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        labels = generator_labels(y, self.classes, z)
        h = self.input(z).view(len(z), self.first, self.bottom, self.bottom)
        if labels is None:
            return self.output(self.blocks(h))
        for block in self.blocks:
            h = block(h, labels)
        return self.output(h)
