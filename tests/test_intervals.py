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


def test_a_contrast_of_means_is_their_weighted_sum_with_each_sides_seeds_resampled():
    from ganlip.intervals import contrast_interval

    a, b, c, d = [3.0, 3.2, 2.8], [1.0, 1.1, 0.9], [2.0, 2.1, 1.9], [1.5, 1.5, 1.5]
    found = contrast_interval([(a, 1), (b, -1), (c, -1), (d, 1)])
    assert found.mean == pytest.approx((3.0 - 1.0) - (2.0 - 1.5))
    assert found.low < found.mean < found.high and found.excludes_zero()
    # the bootstrap of a contrast of one term is that term's own interval
    alone = contrast_interval([(a, 1)])
    assert (alone.low, alone.high) == (mean_interval(a).low, mean_interval(a).high)
    assert contrast_interval([(a, 1), ([], -1)]) is None
