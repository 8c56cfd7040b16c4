"""Convolutions as linear operators: the adjoint and one power-iteration step, shared by spectral
normalization's operator mode and the spectra measurements."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


def conv_arguments(layer: nn.Conv2d) -> dict:
    return dict(stride=layer.stride, padding=layer.padding, dilation=layer.dilation, groups=layer.groups)


def conv(x: Tensor, weight: Tensor, arguments: dict) -> Tensor:
    """The convolution without bias: the linear part of the layer."""
    return F.conv2d(x, weight, None, **arguments)


def conv_adjoint(y: Tensor, weight: Tensor, arguments: dict, input_size: tuple[int, int]) -> Tensor:
    """The adjoint (transpose) of `conv` for inputs of spatial size `input_size`: `conv_transpose2d` with the
    output padding that restores that size when the stride dropped rows or columns."""
    output_padding = [
        size - ((out - 1) * s - 2 * p + d * (k - 1) + 1)
        for size, out, s, p, d, k in zip(
            input_size,
            y.shape[-2:],
            arguments["stride"],
            arguments["padding"],
            arguments["dilation"],
            weight.shape[-2:],
            strict=True,
        )
    ]
    return F.conv_transpose2d(y, weight, None, output_padding=output_padding, **arguments)


def power_step(x: Tensor, weight: Tensor, arguments: dict) -> Tensor:
    """`AᵀA x / ‖AᵀA x‖` for the convolution `A`: one step of power iteration towards its top singular vector."""
    y = conv_adjoint(conv(x, weight, arguments), weight, arguments, x.shape[-2:])
    return y / y.norm().clamp_min(1e-12)
