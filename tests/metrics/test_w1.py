import pytest
import torch
from scipy.stats import wasserstein_distance

from ganlip.metrics import exact_w1


def test_shifted_cloud_is_the_shift():
    """Translating a cloud by t moves it exactly ‖t‖ in W1 (identity coupling above, f(x) = x·t/‖t‖ below)."""
    points = torch.randn(200, 3, dtype=torch.float64)
    shift = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
    assert exact_w1(points, points + shift) == pytest.approx(shift.norm().item(), rel=1e-9)


def test_identical_sets_give_zero():
    points = torch.randn(100, 1, 4, 4)
    assert exact_w1(points, points.clone()) == pytest.approx(0.0, abs=1e-12)


def test_one_dimensional_sets_match_scipy():
    a, b = torch.randn(150, 1), torch.randn(90, 1) * 2 + 1
    assert exact_w1(a, b) == pytest.approx(wasserstein_distance(a[:, 0].numpy(), b[:, 0].numpy()), rel=1e-6)
