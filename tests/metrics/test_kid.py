import numpy as np
import pytest
import torch
from torch_fidelity.metric_kid import kid_features_to_metric

from ganlip.metrics.kid import kernel_distance, polynomial_mmd2


@pytest.mark.parametrize(("subsets", "subset_size"), [(1, 200), (10, 50)])
def test_equals_torch_fidelitys_kid_on_the_same_features(subsets, subset_size):
    rng = np.random.default_rng(0)
    first = rng.standard_normal((200, 16))
    second = rng.standard_normal((240, 16)) * 1.3 + 0.2
    ours = kernel_distance(first, second, subsets=subsets, subset_size=subset_size, seed=3)
    theirs = kid_features_to_metric(
        torch.from_numpy(first),
        torch.from_numpy(second),
        kid_subsets=subsets,
        kid_subset_size=subset_size,
        kid_degree=3,
        kid_gamma=None,
        kid_coef0=1,
        rng_seed=3,
        verbose=False,
    )
    assert ours[0] == pytest.approx(theirs["kernel_inception_distance_mean"], rel=1e-6)
    assert ours[1] == pytest.approx(theirs["kernel_inception_distance_std"], rel=1e-6, abs=1e-12)


def test_unbiased_mmd_of_a_tiny_sample_by_hand():
    """m = 2 in one dimension: k(x, y) = (xy + 1)³; within terms leave out i = j, the cross term keeps all."""
    x, y = torch.tensor([[0.0], [1.0]], dtype=torch.float64), torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    k = lambda a, b: (a * b + 1) ** 3  # noqa: E731
    within = (2 * k(0, 1) + 2 * k(1, 2)) / 2
    cross = (k(0, 1) + k(0, 2) + k(1, 1) + k(1, 2)) / 4
    assert polynomial_mmd2(x, y) == pytest.approx(within - 2 * cross)


def test_kid_grows_with_the_shift_and_is_near_zero_for_one_distribution():
    rng = np.random.default_rng(1)
    base = rng.standard_normal((400, 8))
    same = kernel_distance(base, rng.standard_normal((400, 8)), subsets=20, subset_size=100)[0]
    near = kernel_distance(base, rng.standard_normal((400, 8)) + 0.3, subsets=20, subset_size=100)[0]
    far = kernel_distance(base, rng.standard_normal((400, 8)) + 1.0, subsets=20, subset_size=100)[0]
    assert abs(same) < near < far
