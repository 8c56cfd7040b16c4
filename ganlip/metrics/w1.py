"""The exact Wasserstein-1 distance between two sample sets, by optimal transport (POT's network simplex)."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def exact_w1(a: Tensor, b: Tensor) -> float:
    """`min over couplings of E‖x - y‖₂` between the empirical distributions of `a` `(N, ...)` and `b` `(M, ...)`
    with uniform weights; samples are flattened to vectors. Exact (POT's `emd2`), O(N³): keep N in the thousands."""
    import ot

    a = a.detach().reshape(len(a), -1).to(torch.float64).cpu()
    b = b.detach().reshape(len(b), -1).to(torch.float64).cpu()
    cost = torch.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist").numpy()  # exact zeros on the diagonal
    weights_a = np.full(len(a), 1 / len(a))
    weights_b = np.full(len(b), 1 / len(b))
    return float(ot.emd2(weights_a, weights_b, cost, numItermax=10_000_000))
