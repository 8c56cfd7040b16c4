import pytest
import torch

from ganlip.errors import GanlipError
from ganlip.models import build_model


@pytest.mark.parametrize("resolution", [32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_shapes_and_range(resolution, channels):
    generator, critic = build_model("dcgan", (channels, resolution, resolution), latent_dim=16, width=8)
    images = generator(torch.randn(5, 16))
    assert images.shape == (5, channels, resolution, resolution)
    assert images.abs().max() <= 1
    assert critic(images).shape == (5,)


def test_published_widths_at_width_64():
    """DCGAN 64 px: G 512-256-128-64 (Radford et al. 2016, Fig. 1), the critic its mirror 64-128-256-512."""
    generator, critic = build_model("dcgan", (3, 64, 64))
    transposed = [m.out_channels for m in generator.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    convs = [m.out_channels for m in critic.modules() if isinstance(m, torch.nn.Conv2d)]
    assert transposed == [512, 256, 128, 64, 3]
    assert convs == [64, 128, 256, 512, 1]


def test_critic_has_no_batch_norm():
    _, critic = build_model("dcgan", (3, 32, 32))
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in critic.modules())


def test_unsupported_resolution_and_wrong_data_kind_are_refused():
    with pytest.raises(GanlipError, match="resolutions 32, 64"):
        build_model("dcgan", (3, 48, 48))
    with pytest.raises(GanlipError, match="use --arch mlp"):
        build_model("dcgan", (2,))
    with pytest.raises(GanlipError, match="unknown architecture 'resnett'"):
        build_model("resnett", (3, 32, 32))
