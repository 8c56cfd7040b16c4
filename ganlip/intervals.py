"""Uncertainty over seeds: 95% intervals for a mean and for a difference of means, and the rule verdicts follow.

Both are percentile bootstrap intervals: the seeds of each side are resampled with replacement (10,000 times,
from a fixed generator, so that a report is reproducible) and the interval holds the middle 95% of the resampled
means or differences. With few seeds the bootstrap is coarse (three seeds have ten distinct resampled means), so
a verdict needs the whole interval on one side of zero, never a point estimate."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RESAMPLES = 10_000
LEVEL = 0.95
RULE = (
    "confirmed when the 95% bootstrap interval of the difference (seeds resampled) excludes zero in the claimed "
    "direction, refuted when it excludes zero in the other, else inconclusive"
)


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        if self.n < 2:
            return _short(self.mean)
        return f"{_short(self.mean)} [{_short(self.low)}, {_short(self.high)}]"

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def _short(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"


def _finite(values) -> np.ndarray:
    array = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    return array


def _resampled_means(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(values), size=(RESAMPLES, len(values)))
    return values[picks].mean(axis=1)


def _percentiles(samples: np.ndarray) -> tuple[float, float]:
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(samples, [tail, 1 - tail])
    return float(low), float(high)


def mean_interval(values, seed: int = 0) -> Interval | None:
    """The mean of `values` (None and non-finite left out) and its 95% bootstrap interval; None when empty."""
    array = _finite(values)
    if not len(array):
        return None
    if len(array) == 1:
        return Interval(float(array[0]), float(array[0]), float(array[0]), 1)
    low, high = _percentiles(_resampled_means(array, np.random.default_rng(seed)))
    return Interval(float(array.mean()), low, high, len(array))


def difference_interval(first, second, seed: int = 0) -> Interval | None:
    """`mean(first) − mean(second)` and its 95% bootstrap interval, each side's seeds resampled on their own;
    `second` may be a single number (a known truth). None when a side is empty."""
    a = _finite(first)
    b = _finite(second if isinstance(second, (list, tuple, np.ndarray)) else [second])
    if not len(a) or not len(b):
        return None
    rng = np.random.default_rng(seed)
    difference = _resampled_means(a, rng) - (_resampled_means(b, rng) if len(b) > 1 else b[0])
    low, high = _percentiles(difference)
    return Interval(float(a.mean() - b.mean()), low, high, min(len(a), len(b)) if len(b) > 1 else len(a))


def contrast_interval(terms: list[tuple[list[float], float]], seed: int = 0) -> Interval | None:
    """`Σ weight · mean(values)` over `terms` of (values, weight), e.g. a difference of two differences, and its 95%
    bootstrap interval, each term's seeds resampled on their own. None when a term is empty."""
    arrays = [(_finite(values), weight) for values, weight in terms]
    if any(not len(array) for array, _ in arrays):
        return None
    rng = np.random.default_rng(seed)
    resampled = sum(weight * _resampled_means(array, rng) for array, weight in arrays)
    low, high = _percentiles(np.asarray(resampled))
    estimate = sum(weight * float(array.mean()) for array, weight in arrays)
    return Interval(estimate, low, high, min(len(array) for array, _ in arrays))


def verdict(difference: Interval | None, claimed_sign: int) -> str:
    """The rule's verdict on a claim that the difference has sign `claimed_sign` (+1 or −1)."""
    if difference is None or difference.n < 2:
        return "inconclusive"
    if (difference.low > 0 and claimed_sign > 0) or (difference.high < 0 and claimed_sign < 0):
        return "confirmed"
    if difference.excludes_zero():
        return "refuted"
    return "inconclusive"
