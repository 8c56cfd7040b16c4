import math

import numpy as np
import pytest
import scipy.ndimage
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


def progressive_gan_pyramid(images: np.ndarray, levels: int) -> list[np.ndarray]:
    """Progressive GAN's sliced_wasserstein.py, written out with scipy: the 5x5 binomial filter
    [1, 4, 6, 4, 1]ᵀ[1, 4, 6, 4, 1] / 256, mirrored borders, down = filter then keep every second pixel,
    up = zeros between the pixels then filter times 4; each level minus the upsampled next one."""
    kernel = progressive_gan_kernel()
    pyramid = [images]
    for _ in range(1, levels):
        down = scipy.ndimage.convolve(pyramid[-1], kernel, mode="mirror")[:, :, ::2, ::2]
        spread = np.zeros_like(pyramid[-1])
        spread[:, :, ::2, ::2] = down
        pyramid[-1] = pyramid[-1] - scipy.ndimage.convolve(spread, kernel * 4, mode="mirror")
        pyramid.append(down)
    return pyramid


def test_pyramid_is_progressive_gans():
    images = torch.rand(2, 3, 64, 64)
    levels = laplacian_pyramid(images)
    assert [level.shape[-1] for level in levels] == [64, 32, 16]
    expected = progressive_gan_pyramid(images.double().numpy(), 3)
    for ours, theirs in zip(levels, expected, strict=True):
        assert np.allclose(ours.numpy(), theirs, atol=1e-5)
    rebuilt = levels[-1].numpy()  # and the levels add back up to the image
    for detail in reversed(levels[:-1]):
        spread = np.zeros(detail.shape)
        spread[:, :, ::2, ::2] = rebuilt
        rebuilt = detail.numpy() + scipy.ndimage.convolve(spread, progressive_gan_kernel() * 4, mode="mirror")
    assert np.allclose(rebuilt, images.numpy(), atol=1e-5)


def progressive_gan_kernel() -> np.ndarray:
    taps = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
    return (np.outer(taps, taps) / 256)[None, None]


def test_sets_of_different_sizes_compare_quantiles():
    """Twice the points, the same distribution shifted by (3, 4): still 2‖t‖/π."""
    points = torch.randn(2000, 2, dtype=torch.float64)
    doubled = torch.cat([points, points]) + torch.tensor([3.0, 4.0], dtype=torch.float64)
    assert sliced_wasserstein(points, doubled, n_projections=8000) == pytest.approx(10 / math.pi, rel=0.02)


def test_images_smaller_than_a_patch_are_refused():
    with pytest.raises(ValueError, match="images of 6x6 px are smaller than the 7x7 SWD patch"):
        sliced_wasserstein(torch.rand(4, 1, 6, 6), torch.rand(4, 1, 6, 6))


def test_image_swd_is_zero_under_a_per_channel_contrast_and_brightness_change():
    """Known value: the band-pass levels are linear, and each level's descriptors are normalized to zero mean
    and unit deviation per channel over the set, so `a x + b` (a > 0, per channel) gives 0 at every level,
    while the same change with a little noise does not."""
    torch.manual_seed(0)
    images = torch.rand(8, 3, 32, 32)
    scale, offset = torch.tensor([3.0, 0.5, 2.0]).view(1, 3, 1, 1), torch.tensor([0.5, -1.0, 0.0]).view(1, 3, 1, 1)
    changed = images * scale + offset
    assert max(laplacian_swd(images, changed).values()) < 1e-4  # float32 rounding
    noisy = changed + 0.3 * torch.randn_like(changed)
    assert min(laplacian_swd(images, noisy).values()) > 1e-2


def test_more_different_images_are_farther():
    torch.manual_seed(0)
    smooth = torch.nn.functional.avg_pool2d(torch.rand(16, 1, 36, 36), 5, stride=1)
    near = smooth + 0.01 * torch.randn_like(smooth)
    noise = torch.rand(16, 1, 32, 32)
    assert laplacian_swd(smooth, near)[32] < laplacian_swd(smooth, noise)[32]
