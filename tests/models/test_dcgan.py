import pytest
import torch

from ganlip.errors import GanlipError
from ganlip.models import build_model

CONVOLUTIONS = (torch.nn.Conv2d, torch.nn.ConvTranspose2d)


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


@pytest.mark.parametrize("resolution", [32, 64])
def test_initialised_as_dcgans_paper(resolution):
    """Radford et al. 2016: weights from N(0, 0.02). Normal, not just of that spread: 68.3% of the weights lie
    within one standard deviation (a uniform's share is 57.7%). Batch norm scales N(1, 0.02); biases zero."""
    generator, critic = build_model("dcgan", (3, resolution, resolution))
    weights = [m for network in (generator, critic) for m in network.modules() if isinstance(m, CONVOLUTIONS)]
    for layer in weights:
        weight = layer.weight.detach()
        tolerance = 5 / weight.numel() ** 0.5  # five standard errors of a normal's std estimate, relative
        assert weight.std().item() == pytest.approx(0.02, rel=tolerance)
        assert weight.mean().abs() <= 5 * 0.02 / weight.numel() ** 0.5
        if weight.numel() > 10_000:
            assert (weight.abs() < 0.02).float().mean().item() == pytest.approx(0.683, abs=0.01)
        assert layer.bias is None or torch.count_nonzero(layer.bias) == 0
    norms = [m for m in generator.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    scales = torch.cat([m.weight.detach() for m in norms])
    assert scales.mean().item() == pytest.approx(1.0, abs=5 * 0.02 / scales.numel() ** 0.5)
    assert scales.std().item() == pytest.approx(0.02, rel=5 / scales.numel() ** 0.5)
    assert all(torch.count_nonzero(m.bias) == 0 for m in norms)
