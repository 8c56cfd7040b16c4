"""Convex potential layers (CPL; Meunier, Delattre, Araujo & Allauzen, ICML 2022): residual blocks

    h(x) = x − (2 / (‖W‖² + ε)) Wᵀ ReLU(W x + b),

a gradient step on the convex potential `Σ ReLU-integral(Wx + b)` with a step size that makes it 1-Lipschitz: its
Jacobian `I − (2/‖W‖²) Wᵀ D W`, `D` diagonal in {0, 1}, is symmetric with eigenvalues in (−1, 1]. ‖W‖ (for a
convolution, its norm as an operator on the block's input, zero padding 1) comes from power iteration: in training
one step per call, continued from the last call's vector, with the gradient flowing through the last step's
output vector as in the source; in evaluation `‖W u‖` at the training's current vector, left where it is.

github.com/MILES-PSL/Convex-Potential-Layer at c6dc197: `layers.py` lines 9-95 (`MAX_ITER = 1`,
ε = 1e-4, PyTorch's default initialization), `util.py` lines 154-198 (the power iteration),
`main.py` lines 14-18 (20 convolutional blocks of 30 channels with 5 inside, 7 dense blocks of 2,048). The critic
here keeps every size but the dense blocks' inner width, 76, so that it has the SNGAN critic's parameter count at
32 px (1,050,993 against 1,053,825). Departures: the power iteration starts from a vector warmed up by 15 steps
(ganlip's spectral normalization does the same), where the source starts from a random one; in evaluation the
source runs 100 steps (`EVAL_MAX_ITER`, to certify a classifier), where ganlip, whose loop calls the critic in
evaluation mode at every generator step, keeps the training's estimate as its spectral normalization does (100
convolution pairs per block and generator step cost 1.3 s on the 32-px critic here); the source's dense layer has
an unused scalar parameter, left out; the last layer is the source's `--lln` option (`main.py` line 19, `model.py`
lines 35-38: a row-normalized Linear), where its default keeps the first features (`PoolingLinear`, "trunc").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.layers import WARMUP_ITERATIONS, adopt_saved_shape, at_least_float32, conv, conv_adjoint
from ganlip.models.init import pytorch_default_
from ganlip.models.lipschitz_residual import ResidualLipschitzCritic, ResidualSizes
from ganlip.models.registry import register_critic

IMAGE_SIZES = ResidualSizes(width=30, convs=20, conv_inner=5, denses=7, dense_inner=76)
POINT_SIZES = ResidualSizes(width=512, convs=0, conv_inner=0, denses=2, dense_inner=None)
EPSILON = 1e-4
PADDING = dict(stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1)


class ConvexPotential(nn.Module):
    """A CPL block; subclasses give `W` (`linear_map`, `linear_adjoint`) and the power vector's shape."""

    weight: nn.Parameter
    bias: nn.Parameter
    u: Tensor  # the power iteration's vector, shaped at the first call

    def __init__(self):
        super().__init__()
        self.register_buffer("u", torch.empty(0))

    def linear_map(self, x: Tensor, weight: Tensor) -> Tensor:
        raise NotImplementedError

    def linear_adjoint(self, y: Tensor, weight: Tensor) -> Tensor:
        raise NotImplementedError

    def vector_shape(self, x: Tensor) -> tuple[int, ...]:
        raise NotImplementedError

    def step(self, u: Tensor, weight: Tensor) -> tuple[Tensor, Tensor]:
        """One power step: `v = Wu/‖Wu‖` (differentiable in W), then `u ← Wᵀv/‖Wᵀv‖` (a constant)."""
        image = self.linear_map(u, weight)
        v = image / image.norm().clamp_min(1e-12)
        with torch.no_grad():
            u = self.linear_adjoint(v, weight)
            u = u / u.norm().clamp_min(1e-12)
        return v, u

    def operator_norm(self, n_iter: int, u: Tensor) -> tuple[Tensor, Tensor]:
        """`‖W‖ ≈ ⟨W u, v⟩` after `n_iter` steps from `u`, in float32 at least, and the new `u`."""
        weight = at_least_float32(self.weight)
        with torch.no_grad():
            for _ in range(n_iter - 1):
                _, u = self.step(u, weight)
        v, u = self.step(u, weight)
        return (self.linear_map(u, weight) * v).sum(), u

    def norm(self, x: Tensor) -> Tensor:
        shape = self.vector_shape(x)
        with torch.autocast(x.device.type, enabled=False):
            if tuple(self.u.shape) != shape:  # the first call, or a new input size
                start = torch.randn(shape, device=x.device, dtype=at_least_float32(self.weight).dtype)
                with torch.no_grad():
                    _, self.u = self.operator_norm(WARMUP_ITERATIONS, start / start.norm())
            if not self.training:  # `‖W u‖` at the training's current vector, without moving it
                return self.linear_map(self.u, at_least_float32(self.weight)).norm()
            norm, u = self.operator_norm(1, self.u.clone())  # the graph keeps the vector it used
            self.u.copy_(u)
            return norm

    def forward(self, x: Tensor) -> Tensor:
        step = 2 / (self.norm(x).square() + EPSILON)
        hidden = F.relu(self.linear_map(x, self.weight) + self.bias.view(-1, *[1] * (x.dim() - 2)))
        return x - step.to(x.dtype) * self.linear_adjoint(hidden, self.weight)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        adopt_saved_shape(self, state_dict, prefix, "u")
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


class CPLDense(ConvexPotential):
    def __init__(self, features: int, inner: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(inner, features))
        self.bias = nn.Parameter(torch.empty(inner))
        pytorch_default_(self.weight, self.bias)

    def linear_map(self, x: Tensor, weight: Tensor) -> Tensor:
        return F.linear(x, weight.to(x.dtype))

    def linear_adjoint(self, y: Tensor, weight: Tensor) -> Tensor:
        return F.linear(y, weight.to(y.dtype).T)

    def vector_shape(self, x: Tensor) -> tuple[int, ...]:
        return (1, self.weight.shape[1])


class CPLConv(ConvexPotential):
    """The convolutional block: 3x3 kernels, zero padding 1, stride 1."""

    def __init__(self, channels: int, inner: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(inner, channels, 3, 3))
        self.bias = nn.Parameter(torch.empty(inner))
        pytorch_default_(self.weight, self.bias)

    def linear_map(self, x: Tensor, weight: Tensor) -> Tensor:
        return conv(x, weight.to(x.dtype), PADDING)

    def linear_adjoint(self, y: Tensor, weight: Tensor) -> Tensor:
        return conv_adjoint(y, weight.to(y.dtype), PADDING, tuple(y.shape[2:]))

    def vector_shape(self, x: Tensor) -> tuple[int, ...]:
        return (1, *x.shape[1:])


@register_critic("cpl")
def cpl_critic(data_shape: tuple[int, ...], width: int | None = None) -> nn.Module:
    sizes = IMAGE_SIZES if len(data_shape) == 3 else POINT_SIZES
    return ResidualLipschitzCritic(data_shape, sizes.with_width(width), CPLConv, CPLDense)
