import pytest
import torch

from ganlip.models import build_model


def test_shapes_and_wgan_gp_toy_sizes():
    generator, critic = build_model("mlp", (2,))
    assert generator.latent_dim == 2
    linears = [m for m in critic.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linears] == [512, 512, 512, 1]  # gan_toy.py: DIM = 512, 3 ReLU layers
    points = generator(torch.randn(7, 2))
    assert points.shape == (7, 2)
    assert critic(points).shape == (7,)


def test_initialised_as_gan_toys_tflib():
    """gan_toy.py's ReLU layers use tflib's 'he' init (uniform, std sqrt(2 / fan_in)), its last layer tflib's
    default 'glorot' (uniform, std sqrt(2 / (fan_in + fan_out))), biases zero. Uniform on [-b, b] has std
    b / sqrt(3); at 512x512 the sample std is within 1% of it."""
    for network in build_model("mlp", (2,)):
        linears = [m for m in network.modules() if isinstance(m, torch.nn.Linear)]
        for layer in linears:
            fan_out, fan_in = layer.weight.shape
            last = layer is linears[-1]
            std = (2 / (fan_in + fan_out)) ** 0.5 if last else (2 / fan_in) ** 0.5
            bound = std * 3**0.5
            assert layer.weight.abs().max() <= bound
            if layer.weight.numel() > 10_000:
                assert layer.weight.std().item() == pytest.approx(std, rel=0.01)
            else:  # small layers: at least half the range is used, so no other (narrower) init passes
                assert layer.weight.abs().max() >= 0.5 * bound
            assert torch.count_nonzero(layer.bias) == 0
