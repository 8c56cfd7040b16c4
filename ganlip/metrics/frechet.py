"""The Fréchet distance between two Gaussians, in float64, by a generalized symmetric eigenproblem."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch
from torch import Tensor

from ganlip.metrics.registry import Key, Sides, register_metric

ArrayLike = Tensor | np.ndarray


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike) -> float:
    """`‖mu1 - mu2‖² + tr(S1) + tr(S2) - 2 tr((S1 S2)^½)` (Heusel et al. 2017, eq. for FID).

    The eigenvalues of `S1 S2` are real and non-negative, and `tr((S1 S2)^½)` is the sum of their square roots.
    With the Cholesky factor `S1 = L Lᵀ` they are those of the symmetric `Lᵀ S2 L`, which needs no eigenvectors:
    LAPACK's `sygv` (itype 2) forms it and reduces it to tridiagonal form. Scipy's general `sqrtm`, which
    pytorch-fid uses, does a Schur decomposition instead, many times slower, and can return a complex result.
    Statistics on a GPU stay there (torch's Cholesky, products and `eigvalsh`). Where `S1` is singular (fewer
    samples than dimensions), the symmetric square root of `S1` by eigen-decomposition takes the factor's place."""
    tensors = [a for a in (mu1, sigma1, mu2, sigma2) if isinstance(a, Tensor)]
    device = tensors[0].device if tensors else torch.device("cpu")
    mu1, mu2, sigma1, sigma2 = (
        torch.as_tensor(a.detach() if isinstance(a, Tensor) else np.asarray(a), dtype=torch.float64, device=device)
        for a in (mu1, mu2, sigma1, sigma2)
    )
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(f"statistics differ in size: {tuple(mu1.shape)} vs {tuple(mu2.shape)}")
    sigma1 = (sigma1 + sigma1.T) / 2
    sigma2 = (sigma2 + sigma2.T) / 2
    eigenvalues = _eigenvalues_of_product(sigma1, sigma2)
    difference = mu1 - mu2
    trace_sqrt = eigenvalues.clamp_min(0).sqrt().sum()
    return (difference @ difference + sigma1.trace() + sigma2.trace() - 2 * trace_sqrt).item()


def _eigenvalues_of_product(sigma1: Tensor, sigma2: Tensor) -> Tensor:
    """The eigenvalues of `sigma1 @ sigma2`, both symmetric positive semi-definite."""
    if sigma1.device.type == "cpu":
        try:
            values = scipy.linalg.eigh(
                sigma2.numpy(), sigma1.numpy(), type=2, eigvals_only=True, driver="gv", check_finite=False
            )
            return torch.from_numpy(values)
        except np.linalg.LinAlgError:
            return _eigenvalues_by_symmetric_root(sigma1, sigma2)
    factor, info = torch.linalg.cholesky_ex(sigma1)
    if info.item() != 0:
        return _eigenvalues_by_symmetric_root(sigma1, sigma2)
    middle = factor.T @ sigma2 @ factor
    return torch.linalg.eigvalsh((middle + middle.T) / 2)


def _eigenvalues_by_symmetric_root(sigma1: Tensor, sigma2: Tensor) -> Tensor:
    """Those of the similar `S1^½ S2 S1^½`, with `S1^½` from an eigen-decomposition: for a singular `sigma1`."""
    values, vectors = torch.linalg.eigh(sigma1)
    root = (vectors * values.clamp_min(0).sqrt()) @ vectors.T
    middle = root @ sigma2 @ root
    return torch.linalg.eigvalsh((middle + middle.T) / 2)


@register_metric(
    "fd",
    needs="statistics",
    keys=(Key("fd", "FD ({features})"),),
    summary="Fréchet distance; FID on inception",
    role="quality",
)
def _fd(sides: Sides) -> dict[str, float]:
    return {"fd": frechet_distance(sides.real_mu, sides.real_sigma, sides.fake_mu, sides.fake_sigma)}
