"""Kernel distance (KID when the features are Inception's): the unbiased MMD² between two feature sets under
the cubic polynomial kernel `k(x, y) = (xᵀy / d + 1)³`, averaged over random subsets (Bińkowski et al. 2018,
"Demystifying MMD GANs", §4)."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ganlip.metrics.registry import Key, Sides, register_metric

ArrayLike = Tensor | np.ndarray
SUBSETS = 100
SUBSET_SIZE = 1000


def polynomial_mmd2(x: Tensor, y: Tensor) -> float:
    """Unbiased MMD² of two equally sized samples: the kernel means within each sample leave out the
    diagonal (`i ≠ j`), the cross term keeps every pair."""
    m = len(x)
    dims = x.shape[1]
    k_xx = (x @ x.T / dims + 1) ** 3
    k_yy = (y @ y.T / dims + 1) ** 3
    k_xy = (x @ y.T / dims + 1) ** 3
    within = (k_xx.sum() - k_xx.diagonal().sum() + k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return (within - 2 * k_xy.sum() / (m * m)).item()


def kernel_distance(
    first: ArrayLike, second: ArrayLike, subsets: int = SUBSETS, subset_size: int = SUBSET_SIZE, seed: int = 0
) -> tuple[float, float]:
    """Mean and standard deviation over `subsets` draws of `subset_size` rows from each set (without
    replacement within a draw; capped at the smaller set). Rows are drawn with numpy's `RandomState(seed)`, in
    the order torch-fidelity draws them, so that the same seed picks the same subsets."""
    first, second = (torch.as_tensor(np.asarray(a), dtype=torch.float64) for a in (first, second))
    if first.shape[1] != second.shape[1]:
        raise ValueError(f"feature sizes differ: {first.shape[1]} vs {second.shape[1]}")
    size = min(subset_size, len(first), len(second))
    if size < 2:
        raise ValueError("the kernel distance needs at least 2 samples in each set")
    rng = np.random.RandomState(seed)
    values = []
    for _ in range(subsets):
        rows_first = torch.from_numpy(rng.choice(len(first), size, replace=False))
        rows_second = torch.from_numpy(rng.choice(len(second), size, replace=False))
        values.append(polynomial_mmd2(first[rows_first], second[rows_second]))
    return float(np.mean(values)), float(np.std(values))


@register_metric(
    "kid", needs="features", keys=(Key("kid", "KID ({features})"),), summary="kernel distance", role="quality"
)
def _kid(sides: Sides) -> dict[str, float]:
    return {"kid": kernel_distance(*sides.pairs(), seed=sides.seed)[0]}
