import torch
from torch import nn
from torch.nn.utils import parametrize

from ganlip.constraints import build
from tests.conftest import conv_critic


def test_every_filter_has_mean_zero_and_std_one():
    critic = conv_critic()
    build("ws").attach(critic)
    for layer in (critic[0], critic[2], critic[5]):
        filters = layer.weight.detach().flatten(1)
        assert torch.allclose(filters.mean(dim=1), torch.zeros(len(filters)), atol=1e-6)
        assert torch.allclose(filters.std(dim=1, unbiased=False), torch.ones(len(filters)), atol=1e-3)


def test_stacks_under_a_normalization_whatever_the_spec_order():
    critic = conv_critic()
    build("sn+ws").attach(critic)
    stack = critic[0].parametrizations.weight
    assert [type(p).__name__ for p in stack] == ["WeightStandardization", "SpectralNormalization"]


def test_layers_with_one_entry_per_filter_are_left_alone():
    """A 1x1 convolution from one channel, or a Linear from one input, would standardize to all zeros."""
    critic = nn.Sequential(nn.Conv2d(1, 4, 1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 2 * 2, 1), nn.Linear(1, 1))
    raw = critic[0].weight.detach().clone()
    build("ws").attach(critic)
    assert not parametrize.is_parametrized(critic[0]) and not parametrize.is_parametrized(critic[4])
    assert torch.equal(critic[0].weight, raw) and parametrize.is_parametrized(critic[3])
