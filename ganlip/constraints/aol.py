"""Almost-orthogonal Lipschitz layers (Prach & Lampert 2022, "Almost-Orthogonal Layers for Efficient
General-Purpose Lipschitz Networks", ECCV)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.constraints.base import Constraint, Trait, register, reparametrize, require, require_zero_padding
from ganlip.constraints.sn import SpectralNorm
from ganlip.layers import conv, raw_weight


class AlmostOrthogonal(nn.Module):
    """A parametrization: `W ↦ W diag(d)`, `d_j = (Σ_i |WᵀW|_ij)^(-1/2)`, which has spectral norm at most 1 (the
    paper's Theorem 1: `diag(d) WᵀW diag(d)` is bounded by Gershgorin's circles). For a convolution with kernel
    `K` (out, in, *k), `WᵀW` becomes the kernel's correlation with itself at every shift, `P_ij(s) = Σ_o Σ_p
    K_oi(p) K_oj(p + s)` (in, in, *(2k - 1)), and `d_j = (Σ_i Σ_s |P_ij(s)|)^(-1/2)` scales input channel `j`
    (Theorem 2): the convolution is then at most 1-Lipschitz on inputs of any size, with any stride, dilation
    or zero padding (a stride keeps some of the outputs, padding restricts the inputs, dilation spreads the
    kernel without changing its correlations). A Linear layer is the convolution with an empty kernel."""

    def __init__(self, eps: float = 1e-12):
        super().__init__()
        self.eps = eps

    def forward(self, weight: Tensor) -> Tensor:
        kernel = weight if weight.dim() > 2 else weight.unsqueeze(-1)  # a Linear as a 1-d convolution of size 1
        with torch.autocast(weight.device.type, enabled=False):  # the bound in the weight's own precision
            transposed = kernel.transpose(0, 1)  # (in, out, *k): each input channel's filters as one "image"
            padding = tuple(size - 1 for size in kernel.shape[2:])
            correlation = conv(transposed, transposed, dict(stride=1, padding=padding, dilation=1, groups=1))
            scale = correlation.abs().flatten(1).sum(1).clamp_min(self.eps).rsqrt()
            return weight * scale.view(1, -1, *[1] * (weight.dim() - 2))


@register("aol")
class AOL(Constraint):
    """Use `W diag(d)` in every critic layer, `d` from the rows of `|WᵀW|` (for a convolution, of its kernel's
    correlation with itself): every layer is 1-Lipschitz by construction, certified without power iteration,
    from the first step. The bound is tight where the weight is orthogonal (`d = 1`) and loose for weights far
    from it, so training pulls the layers towards orthogonality.

    Attaching re-initializes every layer's weight as the authors' code does (github.com/berndprach/AOL at
    562bddf), so that the rescaling starts tight (`d = 1` and norm 1 for every layer with at least as many outputs
    as inputs, and every Linear layer) rather than far below 1: a
    convolution's kernel is zero but for its centre tap, an orthogonal `(out, in)` matrix (`orthogonal_center`,
    `convolutional_center_initializers.py` lines 25-43, the default of `aol_conv2d.py` line 22); a Linear layer is
    orthogonal, or, with more inputs than outputs, each input's column a randomly drawn row of an orthogonal
    `(out, out)` matrix, divided by the square root of how many inputs drew it (`repeated_orthogonal`,
    `repeated_orthogonal_initializer.py` lines 18-50, the default of `aol_dense.py` line 18). Biases keep the
    architecture's initialization. A strided convolution is certified at most 1-Lipschitz but its bound is loose
    once its kernel has more than the centre tap (the authors' convolutions refuse strides).

    Parameters: `eps` (1e-12, against a layer whose weights are all zero). Grouped convolutions and the reflect
    and replicate padding modes (which enter a pixel more than once, so the bound does not hold) are refused.
    Recipe: the paper trains classifiers, not GANs; ganlip takes SNGAN's optimizer, as for the other
    normalizations (Adam 2e-4, betas (0, 0.9)).
    """

    eps: float = 1e-12
    kind = "reparametrization"
    cost = "one Gram matrix per layer (for a convolution, the kernel's correlation with itself)"
    traits = frozenset({Trait.NORMALIZES})
    recipe = SpectralNorm.recipe
    stack_order = 1

    def __post_init__(self) -> None:
        require(self.eps > 0, f"aol: eps must be positive, got {self.eps}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        return reparametrize(critic, self.parametrization)

    def parametrization(self, layer: nn.Module) -> nn.Module:
        groups = getattr(layer, "groups", 1)
        require(
            groups == 1, f"aol: its bound covers ungrouped convolutions, not groups={groups}; use sn for this critic."
        )
        require_zero_padding("aol", layer, ("zeros", "circular"))  # a circular conv: its Gram wraps, sums no more
        raw = raw_weight(layer)
        initialize_as_aol(raw)  # under ws+aol the raw weight ws standardizes
        return AlmostOrthogonal(self.eps)


@torch.no_grad()
def initialize_as_aol(weight: Tensor) -> None:
    """The authors' initialization, in place (see `AOL`): an orthogonal centre tap for a convolution, an
    orthogonal or repeated-orthogonal matrix for a Linear layer."""
    out_features, in_features = weight.shape[:2]
    if weight.dim() > 2:
        centre = tuple((size - 1) // 2 for size in weight.shape[2:])
        weight.zero_()
        weight[(slice(None), slice(None), *centre)] = nn.init.orthogonal_(weight.new_empty(out_features, in_features))
    elif in_features <= out_features:
        nn.init.orthogonal_(weight)
    else:
        basis = nn.init.orthogonal_(weight.new_empty(out_features, out_features))
        drawn = torch.randint(out_features, (in_features,), device=weight.device)
        counts = torch.bincount(drawn, minlength=out_features).to(weight.dtype)
        weight.copy_((basis[drawn] / counts[drawn].sqrt().unsqueeze(1)).T)
