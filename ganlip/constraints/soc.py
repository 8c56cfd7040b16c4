"""Skew-orthogonal convolutions (Singla & Feizi 2021, "Skew Orthogonal Convolutions", ICML)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.constraints.base import register, require
from ganlip.constraints.cayley import Cayley, cayley
from ganlip.layers import OrthogonalConvolution, adopt_saved_shape


def skew_kernel(kernel: Tensor) -> Tensor:
    """`(K - K*) / 2` for a square kernel `(M, M, k, k)`, `K*` the adjoint's kernel (channels swapped, taps
    flipped): with odd `k` and padding `k // 2` its convolution is a skew-symmetric operator."""
    return (kernel - kernel.transpose(0, 1).flip(2, 3)) / 2


def taylor_exponential(x: Tensor, apply, terms: int) -> Tensor:
    """`Σ_{i ≤ terms} Aⁱx / i!` for the linear map `apply`: the exponential's series, cut after `terms`."""
    total = term = x
    for index in range(1, terms + 1):
        term = apply(term) / index
        total = total + term
    return total


class SkewOrthogonalConv2d(OrthogonalConvolution):
    """`y = exp(S) x`, `S` a skew-symmetric convolution, so `exp(S)` is orthogonal; the exponential is its Taylor
    series cut after `terms` (`train_terms` in training, `eval_terms` in eval), the only approximation. `S`
    comes from a square kernel `(M, M, k, k)`, `M = max(out, in · s²)`: the input is zero-padded to `M`
    channels and the output cut to `out`. `S` is divided by its operator norm on the layer's input (power
    iteration with a persistent input-shaped `u`, `init_iters` steps at the first call, one per training step)
    and multiplied by `correction`, so that the series converges fast. A stride `s` is an invertible
    downsampling first, and the kernel `k // s` made odd; a layer that covers its input is a dense map, made
    orthonormal exactly by the Cayley transform of its matrix (see `SOC`)."""

    u: Tensor  # the power iteration's input-shaped vector, a buffer

    def __init__(self, layer: nn.Conv2d, soc: SOC):
        super().__init__(layer, "soc")
        self.train_terms, self.eval_terms, self.correction = soc.train_terms, soc.eval_terms, soc.correction
        self.init_iters = soc.init_iters
        if self.covers_input:
            self.weight = layer.weight  # a plain (unparametrized) convolution's: its matrix is the dense map's
            return
        kernel = max(1, self.kernel_size[0] // self.stride)
        kernel += 1 - kernel % 2  # odd, so that the convolution's adjoint is a convolution of the same padding
        self.channels = max(self.out_channels, self.in_channels * self.stride**2)
        weight = torch.randn(self.channels, self.channels, kernel, kernel) / self.channels**0.5
        self.weight = nn.Parameter(weight.to(layer.weight))
        self.register_buffer("u", torch.empty(0))

    def dense(self, x: Tensor) -> Tensor:
        return F.linear(x, cayley(self.weight.flatten(1).to(x.dtype)))

    def convolve(self, x: Tensor) -> Tensor:
        x = F.pad(x, (0, 0, 0, 0, 0, self.channels - x.shape[1]))
        skew = skew_kernel(self.weight.to(x.dtype))
        padding = skew.shape[-1] // 2
        self.advance(skew.detach(), x.shape, padding)
        correction = self.correction if skew.shape[-1] > 1 else 1.0  # the source's: no margin for a 1x1 kernel
        sigma = F.conv2d(self.u.to(x.dtype), skew, padding=padding).norm()
        scaled = skew * (correction / sigma.clamp_min(1e-12))
        terms = self.train_terms if self.training else self.eval_terms
        y = taylor_exponential(x, lambda z: F.conv2d(z, scaled, padding=padding), terms)
        return y[:, : self.out_channels]

    @torch.no_grad()
    def advance(self, skew: Tensor, shape: torch.Size, padding: int) -> None:
        """Power iteration towards the top singular vector of `S` on inputs of `shape`: `init_iters` steps when
        the shape is new, then one per training-mode call."""
        steps = 1 if self.training else 0
        if tuple(self.u.shape[1:]) != tuple(shape[1:]):
            self.u = F.normalize(torch.randn(1, *shape[1:], device=skew.device, dtype=skew.dtype).flatten(), dim=0)
            self.u = self.u.view(1, *shape[1:])
            steps = self.init_iters
        for _ in range(steps):
            # `S` is skew-symmetric, so `SᵀS = -S²`: two convolutions make one step.
            step = -F.conv2d(F.conv2d(self.u, skew, padding=padding), skew, padding=padding)
            self.u = step / step.norm().clamp_min(1e-12)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        adopt_saved_shape(self, state_dict, prefix, "u")
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


@register("soc")
class SOC(Cayley):
    """Make every critic layer orthogonal through the exponential of a skew-symmetric map: each 2-d convolution
    becomes `exp(S)` for a skew-symmetric convolution `S`, by its Taylor series (the one approximation, whose
    error the docs measure). Zero-padded convolutions, unlike `cayley`'s circular ones. Dense maps (Linear
    layers, and a convolution covering its input) take the Cayley transform, exactly orthonormal: the source
    builds convolutional networks, and the exponential of the DCGAN critic's last map, a skew matrix of side
    4,096, took 45 s a step. With GroupSort, a critic whose layers never widen keeps gradient norms up to the
    series' error.

    Parameters: `train_terms` (5) and `eval_terms` (12), the series' length in training and evaluation;
    `correction` (0.7), the margin `S` is scaled to below norm 1; `init_iters` (50), the power iterations when
    a layer first sees an input shape. From the authors' code (github.com/singlasahil14/SOC at 561c7ac,
    `skew_ortho_conv.py`: the constructor's defaults lines 92-94, the skew kernel lines 58-61 and 191-192, the
    square kernel of `max(out, in · s²)` channels and its initialization lines 113 and 143-144, the channel
    padding and cutting lines 201-224). Where they bound `‖S‖` by the least of four cheap bounds (the
    "fantastic four", lines 10-50) and refresh them with 50 iterations every 200 steps, ganlip estimates the
    operator norm on the layer's input by power iteration, one step per critic step: a lower estimate, which
    `correction` leaves room for. The source's strided SOC keeps a 3x3 kernel after the downsampling; here a
    kernel of `k // s`, made odd (3 for the DCGAN critic's 4x4 stride-2 layers). Recipe: SNGAN's optimizer, as
    for the other normalizations (the paper trains classifiers).
    """

    train_terms: int = 5
    eval_terms: int = 12
    correction: float = 0.7
    init_iters: int = 50
    cost = "train_terms convolutions per layer (square, of max(out, in · stride²) channels) and a power step"

    def __post_init__(self) -> None:
        require(self.train_terms >= 1, f"soc: train_terms must be at least 1, got {self.train_terms}; SOC uses 5.")
        require(self.eval_terms >= 1, f"soc: eval_terms must be at least 1, got {self.eval_terms}; SOC uses 12.")
        require(0 < self.correction <= 1, f"soc: correction must be in (0, 1], got {self.correction}; SOC uses 0.7.")
        require(self.init_iters >= 1, f"soc: init_iters must be at least 1, got {self.init_iters}; SOC uses 50.")

    def convolution(self, conv: nn.Conv2d) -> nn.Module:
        return SkewOrthogonalConv2d(conv, self)
