import torch

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
