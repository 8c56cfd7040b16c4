import numpy as np
import pytest
from prdc import compute_prdc

from ganlip.metrics.prdc import precision_recall_density_coverage


@pytest.mark.parametrize("k", [3, 5])
def test_equals_the_prdc_package_on_the_same_features(k):
    rng = np.random.default_rng(0)
    real = rng.standard_normal((300, 12))
    fake = rng.standard_normal((250, 12)) * 0.8 + 0.4
    ours = precision_recall_density_coverage(real, fake, pr_neighbours=k, dc_neighbours=k)
    theirs = compute_prdc(real_features=real, fake_features=fake, nearest_k=k)
    for key in ("precision", "recall", "density", "coverage"):
        assert ours[key] == pytest.approx(theirs[key], rel=1e-6), key


def test_a_collapsed_generator_has_precision_but_no_recall():
    """All generated samples on one real point: inside a real ball (precision 1), covering almost nothing."""
    rng = np.random.default_rng(1)
    real = rng.standard_normal((200, 4))
    fake = np.repeat(real[:1], 50, axis=0) + 1e-6 * rng.standard_normal((50, 4))
    found = precision_recall_density_coverage(real, fake)
    assert found["precision"] == 1.0
    assert found["recall"] <= 0.02 and found["coverage"] <= 0.05  # only the real balls around that point


def test_the_default_neighbours_are_the_papers():
    """Kynkäänniemi et al. use k = 3 for precision/recall; Naeem et al. k = 5 for density/coverage."""
    rng = np.random.default_rng(2)
    real, fake = rng.standard_normal((120, 6)), rng.standard_normal((120, 6)) + 0.5
    ours = precision_recall_density_coverage(real, fake)
    pr, dc = compute_prdc(real, fake, nearest_k=3), compute_prdc(real, fake, nearest_k=5)
    assert (ours["precision"], ours["recall"]) == pytest.approx((pr["precision"], pr["recall"]))
    assert (ours["density"], ours["coverage"]) == pytest.approx((dc["density"], dc["coverage"]))
