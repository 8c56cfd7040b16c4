import numpy as np
import pytest
import torch
from pytorch_fid.fid_score import calculate_frechet_distance

from ganlip.metrics import frechet_distance


def random_statistics(dims: int, samples: int, rng: np.random.Generator, shift: float = 0.0):
    features = rng.standard_normal((samples, dims)) @ rng.standard_normal((dims, dims)) / np.sqrt(dims) + shift
    return features.mean(0), np.cov(features, rowvar=False)


@pytest.mark.parametrize("dims", [8, 64, 256])
def test_equals_pytorch_fid_on_the_same_statistics(dims):
    rng = np.random.default_rng(dims)
    first, second = random_statistics(dims, 4 * dims, rng), random_statistics(dims, 4 * dims, rng, shift=0.3)
    ours = frechet_distance(*first, *second)
    theirs = calculate_frechet_distance(*first, *second)
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_closed_form_for_commuting_covariances():
    """For diagonal covariances FD = ‖mu1-mu2‖² + Σ (√a_i - √b_i)²."""
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = 5.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_identical_statistics_give_zero_and_tensors_are_accepted():
    mu, sigma = random_statistics(16, 64, np.random.default_rng(0))
    assert abs(frechet_distance(torch.tensor(mu), torch.tensor(sigma), mu, sigma)) < 1e-9
