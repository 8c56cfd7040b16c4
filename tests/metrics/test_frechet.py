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


def eigen_reference(mu1, sigma1, mu2, sigma2) -> float:
    """The textbook route in float64 numpy: the symmetric root of S1, then the eigenvalues of S1^½ S2 S1^½."""
    values, vectors = np.linalg.eigh(sigma1)
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root @ sigma2 @ root
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    return float((mu1 - mu2) @ (mu1 - mu2) + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt)


@pytest.mark.parametrize("dims", [16, 300])
def test_the_generalized_eigenproblem_equals_the_eigen_decomposition_to_1e9(dims):
    rng = np.random.default_rng(dims)
    first, second = random_statistics(dims, 3 * dims, rng), random_statistics(dims, 3 * dims, rng, shift=0.2)
    assert frechet_distance(*first, *second) == pytest.approx(eigen_reference(*first, *second), rel=1e-9)


def test_a_singular_first_covariance_falls_back_to_its_symmetric_root():
    rng = np.random.default_rng(1)
    first = random_statistics(64, 20, rng)  # 20 samples in 64 dimensions: rank 19
    second = random_statistics(64, 256, rng, shift=0.1)
    assert np.linalg.matrix_rank(first[1]) < 64
    # the square roots of the 45 zero eigenvalues, each rounding's ~1e-16, add ~1e-8 each: no 1e-9 here
    expected = eigen_reference(*first, *second)
    assert frechet_distance(*first, *second) == pytest.approx(expected, rel=1e-7)
    tensors = [torch.as_tensor(a) for a in (*first, *second)]  # the torch route (a GPU's) and its fallback
    assert frechet_distance(*tensors) == pytest.approx(expected, rel=1e-7)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_statistics_on_the_gpu_are_computed_there():
    rng = np.random.default_rng(2)
    first, second = random_statistics(128, 512, rng), random_statistics(128, 512, rng, shift=0.1)
    on_gpu = [torch.as_tensor(a, device="cuda") for a in (*first, *second)]
    assert frechet_distance(*on_gpu) == pytest.approx(eigen_reference(*first, *second), rel=1e-9)
