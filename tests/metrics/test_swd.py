import math

import pytest
import torch

from ganlip.metrics import sliced_wasserstein
from ganlip.metrics.swd import laplacian_pyramid, laplacian_swd


def test_identical_sets_give_zero():
    points = torch.randn(300, 5)
    assert sliced_wasserstein(points, points.clone()) == 0.0
    images = torch.rand(8, 3, 32, 32)
    assert sliced_wasserstein(images, images.clone()) == 0.0


def test_shifted_planar_cloud_is_two_over_pi_times_the_shift():
    """Projections of a cloud shifted by t differ by θ·t, so SWD = ‖t‖ E|cos φ| = 2‖t‖/π in the plane."""
    points = torch.randn(2000, 2, dtype=torch.float64)
    shift = torch.tensor([3.0, 4.0], dtype=torch.float64)
    value = sliced_wasserstein(points, points + shift, n_projections=20000)
    assert value == pytest.approx(5 * 2 / math.pi, rel=0.02)


def test_pyramid_levels_sum_back_to_the_image():
    images = torch.rand(2, 3, 64, 64)
    levels = laplacian_pyramid(images)
    assert [level.shape[-1] for level in levels] == [64, 32, 16]
    # rebuild: upsample the coarser level and add the band-pass detail, as the pyramid was made
    from ganlip.metrics.swd import _blur, _gaussian_kernel

    kernel = _gaussian_kernel(3)
    current = levels[-1]
    for detail in reversed(levels[:-1]):
        upsampled = torch.zeros_like(detail)
        upsampled[..., ::2, ::2] = current
        current = detail + _blur(upsampled, kernel * 4)
    assert torch.allclose(current, images, atol=1e-5)


def test_more_different_images_are_farther():
    torch.manual_seed(0)
    smooth = torch.nn.functional.avg_pool2d(torch.rand(16, 1, 36, 36), 5, stride=1)
    near = smooth + 0.01 * torch.randn_like(smooth)
    noise = torch.rand(16, 1, 32, 32)
    assert laplacian_swd(smooth, near)[32] < laplacian_swd(smooth, noise)[32]
