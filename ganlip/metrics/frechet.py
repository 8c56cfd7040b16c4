"""The Fréchet distance between two Gaussians, by eigen-decomposition in float64."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

ArrayLike = Tensor | np.ndarray


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike) -> float:
    """`‖mu1 - mu2‖² + tr(S1) + tr(S2) - 2 tr((S1 S2)^½)` (Heusel et al. 2017, eq. for FID).

    `S1 S2` is similar to the symmetric `S1^½ S2 S1^½`, so `tr((S1 S2)^½)` is the sum of the square roots of
    that matrix's eigenvalues: two symmetric eigen-decompositions (LAPACK `syevd`) replace scipy's general
    `sqrtm`, which is slower and can return a complex result for nearly singular products."""
    mu1, mu2, sigma1, sigma2 = (torch.as_tensor(np.asarray(a), dtype=torch.float64) for a in (mu1, mu2, sigma1, sigma2))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(f"statistics differ in size: {tuple(mu1.shape)} vs {tuple(mu2.shape)}")
    sigma1 = (sigma1 + sigma1.T) / 2
    sigma2 = (sigma2 + sigma2.T) / 2
    eigenvalues, eigenvectors = torch.linalg.eigh(sigma1)
    root1 = (eigenvectors * eigenvalues.clamp_min(0).sqrt()) @ eigenvectors.T
    middle = root1 @ sigma2 @ root1
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp_min(0).sqrt().sum()
    difference = mu1 - mu2
    return (difference @ difference + sigma1.trace() + sigma2.trace() - 2 * trace_sqrt).item()
