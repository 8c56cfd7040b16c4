"""Orthogonal convolutions by the Cayley transform in the Fourier domain (Trockman & Kolter 2021, "Orthogonalizing
Convolutional Layers with the Cayley Transform", ICLR)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.constraints.base import Constraint, Trait, register, reparametrize
from ganlip.constraints.sn import SpectralNorm
from ganlip.layers import OrthogonalConvolution, replace_convolutions


def cayley(matrices: Tensor) -> Tensor:
    """A batch of `(m, n)` matrices mapped to matrices with orthonormal columns (rows, when `m < n`): with
    `W = [U; V]`, `U` the top `n x n` block, `A = U - Uᴴ + VᴴV` and `Q = [I - A; -2V] (I + A)⁻¹`. Then `QᴴQ =
    (I + A)⁻ᴴ ((I - A)ᴴ(I - A) + 4VᴴV) (I + A)⁻¹ = I`, since `A + Aᴴ = 2VᴴV`; for a square `W` it is the classic
    Cayley transform of the skew-Hermitian `U - Uᴴ`. Real matrices give real ones, complex ones complex ones."""
    rows, columns = matrices.shape[-2:]
    if rows < columns:
        return cayley(matrices.mH).mH
    top, rest = matrices[..., :columns, :], matrices[..., columns:, :]
    skew = top - top.mH + rest.mH @ rest
    identity = torch.eye(columns, dtype=matrices.dtype, device=matrices.device)
    stacked = torch.cat([identity - skew, -2 * rest], dim=-2)
    return torch.linalg.solve(identity + skew, stacked, left=False)


def fourier_matrices(kernel: Tensor, size: tuple[int, int]) -> Tensor:
    """The circular cross-correlation with `kernel` `(out, in, k, k)` on `size` inputs, centred as a zero-padded
    `padding = (k - 1) // 2` convolution, as one `(out, in)` matrix per frequency of `rfft2`: `(F, out, in)`."""
    shift = tuple(-((side - 1) // 2) for side in kernel.shape[2:])
    padded = F.pad(kernel, (0, size[1] - kernel.shape[3], 0, size[0] - kernel.shape[2]))
    spectrum = torch.fft.rfft2(torch.roll(padded, shift, dims=(2, 3))).conj()  # correlation, not convolution
    return spectrum.flatten(2).permute(2, 0, 1)


def apply_in_fourier(x: Tensor, matrices: Tensor) -> Tensor:
    """`x` `(B, in, h, w)` multiplied frequency by frequency by `matrices` `(F, out, in)`: a circular convolution."""
    height, width = x.shape[2:]
    spectrum = torch.fft.rfft2(x).flatten(2)
    product = torch.einsum("foc,bcf->bof", matrices, spectrum)
    return torch.fft.irfft2(product.unflatten(2, (height, width // 2 + 1)), s=(height, width))


class CayleyConv2d(OrthogonalConvolution):
    """A 2-d convolution that is orthogonal as an operator: its kernel's matrix at every frequency of the input
    replaced by its Cayley transform, applied as a circular convolution (orthogonal on the torus; zero padding
    would not be). A stride `s` becomes an invertible downsampling first and a kernel of `k // s` on the
    `s²`-times wider input, as the authors do; a convolution whose kernel covers its whole unpadded input (the
    DCGAN critic's last layer) is a dense map, whose matrix `(out, in · k · k)` is so transformed. Computed in
    float32 or wider under AMP too: the FFT and the solve are not to be trusted in bfloat16."""

    alpha: Tensor  # a buffer

    def __init__(self, layer: nn.Conv2d):
        super().__init__(layer, "cayley")
        kernel = max(1, self.kernel_size[0] // self.stride)
        weight = torch.empty(self.out_channels, self.in_channels * self.stride**2, kernel, kernel)
        nn.init.kaiming_uniform_(weight, a=5**0.5)  # nn.Conv2d's own initialization, on the unshuffled shape
        self.weight = nn.Parameter(weight.to(layer.weight))
        # The source's scale α: ‖Ŵ‖ at the first call, then fixed (its code creates it after the optimizer).
        self.register_buffer("alpha", torch.tensor(float("nan"), device=layer.weight.device))

    def dense(self, x: Tensor) -> Tensor:
        return F.linear(x, cayley(self.weight.flatten(1).to(x.dtype)))

    def convolve(self, x: Tensor) -> Tensor:
        matrices = fourier_matrices(self.weight.to(x.dtype), (x.shape[2], x.shape[3]))
        norm = matrices.norm()
        if torch.isnan(self.alpha):
            self.alpha.fill_(norm.item())
        return apply_in_fourier(x, cayley(self.alpha.to(x.dtype) * matrices / norm.clamp_min(1e-12)))


class CayleyTransform(nn.Module):
    """A parametrization of a Linear weight: the Cayley transform of `α W / ‖W‖_F`, with orthonormal rows or
    columns; `α`, a trained scale, starts at `‖W‖_F` (the source's `CayleyLinear`)."""

    orthonormalizes = True

    def __init__(self, weight: Tensor):
        super().__init__()
        self.alpha = nn.Parameter(weight.detach().norm().clone())

    def forward(self, weight: Tensor) -> Tensor:
        with torch.autocast(weight.device.type, enabled=False):
            wide = weight.to(torch.promote_types(weight.dtype, torch.float32))
            scaled = self.alpha.to(wide.dtype) * wide / wide.norm().clamp_min(1e-12)
            return cayley(scaled).to(weight.dtype)


def linear_cayley(layer: nn.Module) -> nn.Module | None:
    """The Cayley parametrization of a Linear layer's weight; other layers are left as they are."""
    return CayleyTransform(layer.weight) if isinstance(layer, nn.Linear) else None


@register("cayley")
class Cayley(Constraint):
    """Make every critic layer orthogonal: each 2-d convolution becomes a Cayley convolution (its kernel's matrix
    at every frequency of its input orthogonalized by the Cayley transform, applied in the Fourier domain; a
    stride by an invertible downsampling first), each Linear weight its Cayley transform. Every layer is then
    exactly 1-Lipschitz, and norm-preserving where it does not widen; with `--set critic_activation=groupsort` a
    critic whose layers never widen has `‖∇D‖ = 1` almost everywhere. The DCGAN critic's first layer widens
    (3 · 4 unshuffled channels into `width`), so there the gradient norm is at most 1.

    The convolutions are circular, not zero-padded; a convolution keeps its `weight` in the unshuffled shape
    `(out, in · s², k/s, k/s)`, initialized as PyTorch initializes a convolution of that shape. The transform is
    of `α Ŵ / ‖Ŵ‖_F`, as the source's: for a convolution `α` is `‖Ŵ‖_F` at the first call and then fixed (their
    code creates it in the first forward pass, after the optimizer was built, so it never trains); for a Linear
    layer it is trained, from `‖W‖_F`. (github.com/locuslab/
    orthogonal-convolutions at 543b0aa, `layers.py`: `cayley` lines 48-58, `CayleyConv` lines 60-84,
    `StridedConv` lines 22-46, `CayleyLinear` lines 86-102.) Recipe: the paper trains classifiers; ganlip takes
    SNGAN's optimizer, as for the other normalizations.

    Touches every Conv2d (replaced) and Linear (reparametrized); a class-conditional critic is refused.
    """

    kind = "reparametrization"
    cost = "an FFT of every convolution's input and output and a solve per frequency"
    traits = frozenset({Trait.NORMALIZES})
    critic_activation = "groupsort"
    recipe = SpectralNorm.recipe
    stack_order = 1

    def conditional_refusal(self) -> str | None:
        return (
            f"{self.name} orthogonalizes plain critics only, not a projection critic's class embedding; use sn or "
            "aol on a conditional critic."
        )

    def convolution(self, conv: nn.Conv2d) -> nn.Module:
        """The orthogonal layer that replaces `conv`."""
        return CayleyConv2d(conv)

    def attach(self, critic: nn.Module) -> nn.Module:
        replace_convolutions(critic, self.convolution)
        return reparametrize(critic, linear_cayley)
