"""SDP-based Lipschitz layers (SLL; Araujo, Havens, Delattre, Allauzen & Hu, ICLR 2023): residual blocks

    h(x) = x − 2 Wᵀ (t ⊙ ReLU(W x + b)),   t_i = 1 / Σ_j |q_i⁻¹ (W Wᵀ)_ij q_j|,   q = exp(q̃),

which are 1-Lipschitz because `diag(1/t) ⪰ W Wᵀ` (Gershgorin's theorem on the rescaled Gram matrix), whatever the
weights. A convolutional block uses the convolution `K` and its transpose, and `t_i` sums the absolute
cross-correlations of kernel `i` with every kernel at every shift (`conv2d(K, K, padding=k − 1)`). In the source's
convolutional layer `q_i` multiplies and divides the same row, so it cancels; it is left out here.

github.com/araujoalexandre/Lipschitz-SLL-Networks at 87865db, `core/models/layers.py`:
`SDPBasedLipschitzConvLayer` lines 16-53 (init lines 30-33: kernel Xavier-normal, bias U(±1/√fan_in)),
`SDPBasedLipschitzLinearLayer` lines 56-87 (q drawn from N(0, 1)). The network (`core/models/model.py`, sizes in
`main.py` lines 85-86 and `reproduce_tables.py` lines 22-35) is "small": 20 convolutional blocks of 45 channels with 5
inside, 7 dense blocks of 2,048 inside (41M parameters). The critic here keeps every size but the dense blocks'
inner width, 50, so that it has the SNGAN critic's parameter count at 32 px (1,052,181 against 1,053,825).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.layers import at_least_float32
from ganlip.models.init import fan_in_uniform_
from ganlip.models.lipschitz_residual import ResidualLipschitzCritic, ResidualSizes
from ganlip.models.registry import register_critic

IMAGE_SIZES = ResidualSizes(width=45, convs=20, conv_inner=5, denses=7, dense_inner=50)
POINT_SIZES = ResidualSizes(width=512, convs=0, conv_inner=0, denses=2, dense_inner=None)


def inverse_or_zero(sums: Tensor) -> Tensor:
    """`1 / sums`, 0 where a sum is 0 (a unit whose weights are all zero contributes nothing)."""
    return torch.where(sums == 0, torch.zeros_like(sums), 1 / sums)


@torch.no_grad()
def _init_like_source(weight: Tensor, bias: Tensor) -> None:
    nn.init.xavier_normal_(weight)
    fan_in_uniform_(bias, weight)


class SLLDense(nn.Module):
    def __init__(self, features: int, inner: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(inner, features))
        self.bias = nn.Parameter(torch.empty(inner))
        self.q = nn.Parameter(torch.randn(inner))
        _init_like_source(self.weight, self.bias)

    def scales(self) -> Tensor:
        """`t`, in float32 at least, whatever the autocast."""
        with torch.autocast(self.weight.device.type, enabled=False):
            weight, q = at_least_float32(self.weight), at_least_float32(self.q)
            gram = (weight @ weight.T).abs()
            return inverse_or_zero((torch.exp(-q)[:, None] * gram * torch.exp(q)[None, :]).sum(1))

    def forward(self, x: Tensor) -> Tensor:
        hidden = self.scales().to(x.dtype) * F.relu(F.linear(x, self.weight, self.bias))
        return x - 2 * F.linear(hidden, self.weight.T)


class SLLConv(nn.Module):
    """The convolutional block: 3x3 kernels, zero padding 1, stride 1."""

    def __init__(self, channels: int, inner: int, kernel_size: int = 3):
        super().__init__()
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(torch.empty(inner, channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(inner))
        _init_like_source(self.weight, self.bias)

    def scales(self) -> Tensor:
        with torch.autocast(self.weight.device.type, enabled=False):
            weight = at_least_float32(self.weight)
            correlations = F.conv2d(weight, weight, padding=weight.shape[-1] - 1)  # (inner, inner, 2k-1, 2k-1)
            return inverse_or_zero(correlations.abs().sum((1, 2, 3)))

    def forward(self, x: Tensor) -> Tensor:
        hidden = F.relu(F.conv2d(x, self.weight, self.bias, padding=self.padding))
        hidden = self.scales().to(x.dtype)[:, None, None] * hidden
        return x - 2 * F.conv_transpose2d(hidden, self.weight, padding=self.padding)


@register_critic("sll")
def sll_critic(data_shape: tuple[int, ...], width: int | None = None) -> nn.Module:
    sizes = IMAGE_SIZES if len(data_shape) == 3 else POINT_SIZES
    return ResidualLipschitzCritic(data_shape, sizes.with_width(width), SLLConv, SLLDense)
