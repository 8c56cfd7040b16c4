import pytest
import torch

from ganlip.errors import GanlipError
from ganlip.models import build_model


@pytest.mark.parametrize(
    ("arch", "resolution"),
    [("resnet", 32), ("resnet", 64), ("sngan", 32), ("sngan", 48), ("sngan", 64), ("sngan", 128)],
)
def test_shapes_and_range_at_tiny_widths(arch, resolution):
    generator, critic = build_model(arch, (3, resolution, resolution), latent_dim=8, width=8)
    images = generator(torch.randn(2, 8))
    assert images.shape == (2, 3, resolution, resolution)
    assert images.abs().max() <= 1
    assert critic(images).shape == (2,)
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in critic.modules())


def test_layer_norm_option_is_per_sample():
    _, critic = build_model("resnet", (3, 32, 32), width=8, critic_norm="layer")
    assert any(isinstance(m, torch.nn.GroupNorm) for m in critic.modules())
    x = torch.randn(4, 3, 32, 32)
    assert torch.allclose(critic(x)[:1], critic(x[:1]), atol=1e-6)  # no coupling between samples
    with pytest.raises(GanlipError, match="none or layer"):
        build_model("resnet", (3, 32, 32), critic_norm="batch")
    with pytest.raises(GanlipError, match="no size 'critic_norm'"):
        build_model("sngan", (3, 32, 32), critic_norm="layer")
