"""The residual Lipschitz critics as wholes: their parameter counts against the sources' layouts counted here,
their input gradients, and their refusals."""

import math

import pytest
import torch

from ganlip.errors import GanlipError
from ganlip.models import build_critic
from tests.models.test_counts import REFERENCE


def residual_count(width, convs, conv_inner, denses, dense_inner, q: bool, side=32):
    """The sources' networks counted from their layer lists: a 3x3 conv block (kernel, bias; SLL's dense blocks
    also train q), dense blocks on the pooled `width * (side/4)²` features, a Linear layer to one score."""
    features = width * (side // 4) ** 2
    dense = dense_inner * features + dense_inner + (dense_inner if q else 0)
    return convs * (conv_inner * width * 9 + conv_inner) + denses * dense + features + 1


SNGAN_CRITIC = REFERENCE[("sngan", 32)][1]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sll", residual_count(45, 20, 5, 7, 50, q=True)),  # SLL "small" (main.py lines 85-86), inner 50
        ("cpl", residual_count(30, 20, 5, 7, 76, q=False)),  # CPL's main.py defaults (lines 14-18), inner 76
    ],
)
def test_at_32_px_each_has_its_sources_layout_at_the_sngan_critics_parameter_count(name, expected):
    count = sum(p.numel() for p in build_critic(name, (3, 32, 32)).parameters())
    assert count == expected
    assert abs(count - SNGAN_CRITIC) / SNGAN_CRITIC < 0.005


@pytest.mark.parametrize("name", ["sll", "cpl"])
@pytest.mark.parametrize("shape", [(3, 32, 32), (1, 16, 16), (2,)])
def test_the_whole_critic_has_input_gradients_of_norm_at_most_one(name, shape):
    critic = build_critic(name, shape).double().eval()
    x = (3 * torch.randn(16, *shape, dtype=torch.float64)).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x).sum(), x)
    norms = gradient.flatten(1).norm(dim=1)
    assert norms.max() <= 1 + 1e-6
    assert norms.max() > 0.01  # at initialization the padded features and a random unit row keep it small


def test_a_width_narrower_than_the_data_is_refused_with_the_fix():
    with pytest.raises(GanlipError, match="width of at least 3"):
        build_critic("sll", (3, 32, 32), width=2)


def test_images_the_pooling_cannot_divide_are_refused_with_the_fix():
    with pytest.raises(GanlipError, match="multiple of 4"):
        build_critic("cpl", (3, 30, 30))


def test_the_pieces_between_the_blocks_have_norm_one():
    critic = build_critic("sll", (3, 32, 32)).double()
    pooling = critic.blocks[21]
    basis = torch.eye(2 * 8 * 8, dtype=torch.float64).view(-1, 2, 8, 8)
    assert torch.linalg.matrix_norm(pooling(basis).flatten(1), 2).item() == pytest.approx(1.0, abs=1e-12)
    x = torch.randn(1, critic.output.in_features, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(critic.output(x).sum(), x)
    assert gradient.norm().item() == pytest.approx(1.0, abs=1e-12)
    padded = critic.blocks[0](torch.randn(4, 3, 32, 32, dtype=torch.float64))
    assert padded.shape[1] == 45 and torch.count_nonzero(padded[:, 3:]) == 0


def test_no_product_of_layer_norms_is_reported_as_its_bound():
    """Its residual blocks are not weighted layers: the last Linear layer's norm alone would be a false bound."""
    from ganlip.metrics.spectra import lipschitz_upper_bound, spectra

    critic = build_critic("sll", (2,))
    assert math.isnan(lipschitz_upper_bound(spectra(critic, (2,)), critic))
