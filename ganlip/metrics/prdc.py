"""Precision and recall of a generated set against a real one (Kynkäänniemi et al. 2019, "Improved
Precision and Recall Metric for Assessing Generative Models", k = 3), and density and coverage (Naeem et al.
2020, "Reliable Fidelity and Diversity Metrics for Generative Models", k = 5), all from k-nearest-neighbour
balls in a feature space.

A real sample's ball has the radius of its distance to its k-th nearest other real sample (likewise for
generated samples). Precision: the share of generated samples inside some real ball. Recall: the share of real
samples inside some generated ball. Density: how many real balls hold a generated sample, on average, over k.
Coverage: the share of real balls that hold at least one generated sample."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ganlip.metrics.registry import Key, Sides, register_metric

ArrayLike = Tensor | np.ndarray
PR_NEIGHBOURS = 3
DC_NEIGHBOURS = 5
_BLOCK = 2048  # rows of a distance matrix computed at once


def _kth_neighbour_distances(points: Tensor, k: int) -> Tensor:
    """Each row's distance to its k-th nearest other row (the row itself, at distance 0, is not counted)."""
    return torch.cat([torch.cdist(block, points).kthvalue(k + 1, dim=1).values for block in points.split(_BLOCK)])


def precision_recall_density_coverage(
    real: ArrayLike, fake: ArrayLike, pr_neighbours: int = PR_NEIGHBOURS, dc_neighbours: int = DC_NEIGHBOURS
) -> dict[str, float]:
    real, fake = (torch.as_tensor(np.asarray(a), dtype=torch.float64) for a in (real, fake))
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature sizes differ: {real.shape[1]} vs {fake.shape[1]}")
    if min(len(real), len(fake)) <= max(pr_neighbours, dc_neighbours):
        raise ValueError(f"each set needs more than {max(pr_neighbours, dc_neighbours)} samples")
    between = torch.cdist(real, fake)  # (real, fake)
    real_radii_pr = _kth_neighbour_distances(real, pr_neighbours)
    fake_radii_pr = _kth_neighbour_distances(fake, pr_neighbours)
    real_radii_dc = _kth_neighbour_distances(real, dc_neighbours)
    inside_dc = between < real_radii_dc[:, None]
    return {
        "precision": (between < real_radii_pr[:, None]).any(dim=0).double().mean().item(),
        "recall": (between < fake_radii_pr[None, :]).any(dim=1).double().mean().item(),
        "density": (inside_dc.sum(dim=0).double().mean() / dc_neighbours).item(),
        "coverage": (between.min(dim=1).values < real_radii_dc).double().mean().item(),
    }


@register_metric(
    "pr",
    needs="features",
    keys=(Key("precision", "precision", "higher"), Key("recall", "recall", "higher")),
    summary="precision/recall, k=3",
    role="beside",
)
def _precision_recall(sides: Sides) -> dict[str, float]:
    found = _neighbourhoods(sides)
    return {key: found[key] for key in ("precision", "recall")}


@register_metric(
    "dc",
    needs="features",
    keys=(Key("coverage", "coverage", "higher"), Key("density", "density", "higher")),
    summary="density/coverage, k=5",
)
def _density_coverage(sides: Sides) -> dict[str, float]:
    found = _neighbourhoods(sides)
    return {key: found[key] for key in ("coverage", "density")}


def _neighbourhoods(sides: Sides) -> dict[str, float]:
    return sides.shared("prdc", lambda: precision_recall_density_coverage(*sides.pairs()))
