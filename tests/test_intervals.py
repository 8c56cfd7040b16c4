import numpy as np
import pytest

from ganlip.intervals import difference_interval, mean_interval, verdict


def test_mean_interval_of_three_seeds_matches_an_exhaustive_bootstrap():
    values = [1.0, 2.0, 6.0]
    interval = mean_interval(values)
    # Every resample of three seeds, weighted by its multinomial probability: the exact bootstrap distribution.
    means = np.array([(values[i] + values[j] + values[k]) / 3 for i in range(3) for j in range(3) for k in range(3)])
    low, high = np.quantile(means, [0.025, 0.975], method="inverted_cdf")  # a discrete distribution's quantiles
    assert interval.mean == pytest.approx(3.0)
    assert interval.low == pytest.approx(low, abs=1e-9)  # 10,000 draws settle on the 27 resamples' quantiles
    assert interval.high == pytest.approx(high, abs=1e-9)
    assert interval.low >= min(values) and interval.high <= max(values)


def test_separated_seeds_confirm_and_overlapping_seeds_stay_inconclusive():
    better, worse = [0.9, 0.92, 0.91], [0.5, 0.52, 0.49]
    assert verdict(difference_interval(better, worse), +1) == "confirmed"
    assert verdict(difference_interval(better, worse), -1) == "refuted"
    assert verdict(difference_interval([0.5, 0.9, 0.1], [0.6, 0.2, 0.8]), +1) == "inconclusive"


def test_a_difference_from_a_known_truth_and_single_seeds():
    below = difference_interval([0.4, 0.45, 0.5], 1.74)
    assert below.mean == pytest.approx(0.45 - 1.74) and below.high < 0
    assert verdict(below, -1) == "confirmed"
    assert verdict(difference_interval([0.4], 1.74), -1) == "inconclusive"  # one seed says nothing of its noise
    assert mean_interval([None, float("nan")]) is None
