"""Independent measures of a map's Lipschitz constant for the residual critics' tests."""

import torch
import torch.nn.functional as F
from torch.func import jvp, vjp


def jacobian_norm(block, x: torch.Tensor, n_iter: int = 200) -> float:
    """The spectral norm of `block`'s Jacobian at `x` (one sample), by power iteration on `JᵀJ` with
    forward- and reverse-mode products: the local Lipschitz constant there."""
    v = F.normalize(torch.randn_like(x).flatten(), dim=0).view_as(x)
    for _ in range(n_iter):
        _, jv = jvp(block, (x,), (v,))
        _, pullback = vjp(block, x)
        (jtjv,) = pullback(jv)
        v = jtjv / jtjv.norm()
    _, jv = jvp(block, (x,), (v,))
    return jv.norm().item()


def conv_matrix(weight: torch.Tensor, size: int, padding: int = 1) -> torch.Tensor:
    """The zero-padded convolution by `weight` on `size`x`size` inputs as a dense matrix (outputs x inputs)."""
    channels = weight.shape[1]
    basis = torch.eye(channels * size * size, dtype=weight.dtype).view(-1, channels, size, size)
    return F.conv2d(basis, weight, padding=padding).flatten(1).T
