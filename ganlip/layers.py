"""Layer maths that strategies and measurements share, below both: what a parametrization in a chain receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize

# Power iterations run when a strategy first meets a weight, so that its first step starts from a converged `u`.
WARMUP_ITERATIONS = 15


@torch.no_grad()
def power_iteration(matrix: Tensor, u: Tensor, v: Tensor, n_iter: int, eps: float = 1e-12) -> None:
    """`n_iter` steps towards the top singular pair of `matrix`, in place: `v ← Wᵀu/‖Wᵀu‖`, `u ← Wv/‖Wv‖`
    (SNGAN Algorithm 1). Then `uᵀWv` estimates σ(W) from below."""
    for _ in range(n_iter):
        v.copy_(F.normalize(matrix.t() @ u, dim=0, eps=eps))
        u.copy_(F.normalize(matrix @ v, dim=0, eps=eps))


@torch.no_grad()
def received_weight(layer: nn.Module, parametrization: nn.Module) -> Tensor:
    """The weight `parametrization` is given in `layer`'s chain: the raw weight passed through the
    parametrizations registered before it (for `ws+sn`, the standardized weight that `sn` divides)."""
    weight = layer.parametrizations.weight.original.detach()
    for module in layer.parametrizations.weight:
        if module is parametrization:
            return weight
        weight = module(weight)
    raise ValueError("the parametrization is not in this layer's weight chain")


def weight_chain(layer: nn.Module) -> list[nn.Module]:
    """The parametrizations of `layer.weight`, innermost first (empty when it has none)."""
    return list(layer.parametrizations.weight) if parametrize.is_parametrized(layer, "weight") else []


@contextmanager
def parametrizations_uncached() -> Iterator[None]:
    """Inside `parametrize.cached()`, compute parametrized weights afresh. `torch.func.functional_call` swaps raw
    parameters in, and a weight cached from the originals would not depend on them. Torch has no public switch."""
    enabled = parametrize._cache_enabled
    parametrize._cache_enabled = 0
    try:
        yield
    finally:
        parametrize._cache_enabled = enabled


class evaluation:
    """Eval mode for the duration (reading a parametrized weight in training mode would advance spectral
    normalization's power iteration), restoring the previous mode after."""

    def __init__(self, module: nn.Module):
        self.module = module

    def __enter__(self) -> None:
        self.was_training = self.module.training
        self.module.eval()

    def __exit__(self, *_) -> None:
        self.module.train(self.was_training)
