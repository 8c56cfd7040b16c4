"""The initialisations of the zoo's sources, each written once and named by where it comes from.

Every family's sources draw uniform weights from one of two rules, in torch's terms (bounds `gain *
sqrt(6 / (fan_in + fan_out))` and `sqrt(6 / fan_in)`, fans counting the kernel's taps):

- Glorot-uniform, `glorot_(layer, gain)`: tflib's default and its `he_init` convolutions (which use std
  `sqrt(4 / (fan_in + fan_out))`, i.e. gain sqrt(2)); chainer's `GlorotUniform(scale)` in SNGAN's code;
- He-uniform, `he_(layer)`: tflib's `Linear(initialization='he')` in gan_toy.

Biases start at zero in both tflib and chainer. DCGAN draws from a normal instead (`dcgan_`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

RESIDUAL_GAIN = math.sqrt(2)  # tflib's he_init convolutions; chainer's GlorotUniform(math.sqrt(2)) in SNGAN's blocks


@torch.no_grad()
def glorot_(layer: nn.Linear | nn.Conv2d, gain: float = 1.0) -> None:
    nn.init.xavier_uniform_(layer.weight, gain)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)


@torch.no_grad()
def he_(layer: nn.Linear) -> None:
    nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)


@torch.no_grad()
def fan_in_uniform_(bias: Tensor, weight: Tensor) -> None:
    """A bias from U(±1/√fan_in) of its weight: PyTorch's default for Linear and Conv layers."""
    bound = 1 / math.sqrt(nn.init._calculate_fan_in_and_fan_out(weight)[0])
    nn.init.uniform_(bias, -bound, bound)


@torch.no_grad()
def pytorch_default_(weight: Tensor, bias: Tensor) -> None:
    """PyTorch's default initialization of a Linear or Conv layer (`reset_parameters`): Kaiming-uniform with
    a = √5, which bounds the weights by 1/√fan_in, and the bias by `fan_in_uniform_`."""
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
    fan_in_uniform_(bias, weight)


@torch.no_grad()
def dcgan_(module: nn.Module) -> None:
    """Radford et al. 2016, section 4: weights from N(0, 0.02); batch norm scales from N(1, 0.02) and shifts at
    zero as PyTorch's DCGAN example does (pytorch/examples dcgan/main.py, `weights_init`); biases zero."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d) and layer.affine:
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)
        elif isinstance(gains := getattr(layer, "gains", None), nn.Embedding):  # a conditional batch norm's gains
            nn.init.normal_(gains.weight, 1.0, 0.02)
