import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

from ganlip.data import load_data


def test_digits_are_the_bundled_set_upsampled_to_32_in_range():
    digits = load_data("digits")
    assert len(digits) == 1797
    batch = digits.batch(torch.arange(10))
    assert batch.shape == (10, 1, 32, 32)
    assert batch.min() >= -1 and batch.max() <= 1
    # averaging each 4x4 block gives back sklearn's 8x8 pixels (0..16) up to the blur of bilinear
    # upsampling, which moves intensity between neighbours but keeps each image's total
    original = torch.from_numpy(load_digits().images[:10]).float() / 16
    pooled = F.avg_pool2d((batch + 1) / 2, 4)[:, 0]
    assert torch.allclose(pooled.sum((1, 2)), original.sum((1, 2)), rtol=1e-4)
    assert (pooled - original).abs().mean() < 0.1


def test_digits_carry_their_class():
    digits = load_data("digits")
    assert digits.classes == 10
    assert torch.equal(digits.labels, torch.from_numpy(load_digits().target))
