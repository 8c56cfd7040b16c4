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


def assert_glorot_uniform(layer: torch.nn.Module, gain: float) -> None:
    """Uniform on ±gain·sqrt(6 / (fan_in + fan_out)), fans counting kernel taps; the sample std within five
    standard errors of bound/sqrt(3) (a uniform's std estimate has relative error about 0.45/sqrt(n)); bias 0."""
    weight = layer.weight.detach()
    fan_in, fan_out = weight[0].numel(), weight.shape[0] * weight[0, 0].numel()
    bound = gain * (6 / (fan_in + fan_out)) ** 0.5
    assert weight.abs().max() <= bound * (1 + 1e-6)
    assert weight.std().item() == pytest.approx(bound / 3**0.5, rel=5 * 0.45 / weight.numel() ** 0.5)
    assert layer.bias is None or torch.count_nonzero(layer.bias) == 0


def expected_gain(name: str, arch: str, resolution: int) -> float:
    """gan_cifar_resnet.py / gan_64x64.py (tflib) and sngan_projection (chainer), as ganlip/models cites them."""
    if name.endswith(("conv1", "conv2")):
        return 2**0.5  # tflib's he_init convolutions; GlorotUniform(math.sqrt(2))
    if name == "generator.output.2" and arch == "resnet" and resolution == 64:
        return 2**0.5  # gan_64x64.py's Generator.Output keeps tflib's default he_init
    return 1.0  # shortcuts, Linears, the other output convolutions, the 64-px critic's input


@pytest.mark.parametrize(("arch", "resolution"), [("resnet", 32), ("resnet", 64), ("sngan", 32), ("sngan", 64)])
def test_initialised_as_their_sources(arch, resolution):
    generator, critic = build_model(arch, (3, resolution, resolution), width=32)
    layers = {
        f"{network}.{name}": layer
        for network, module in (("generator", generator), ("critic", critic))
        for name, layer in module.named_modules()
        if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d))
    }
    assert len(layers) > 10
    for name, layer in layers.items():
        assert_glorot_uniform(layer, expected_gain(name, arch, resolution))
