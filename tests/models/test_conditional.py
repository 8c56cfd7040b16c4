"""Class-conditional generators and projection critics: mimicry's cGAN-PD parameter counts, counted here from its
layer list (github.com/kwotsin/mimicry, torch_mimicry/nets/cgan_pd/cgan_pd_32.py with modules/resblocks.py
`GBlock(num_classes=...)`, modules/layers.py `ConditionalBatchNorm2d`, `SNEmbedding`), conditional batch norm
against its closed form, and the projection `D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩`."""

import pytest
import torch
import torch.nn.functional as F

from ganlip.models import build_model
from ganlip.models.conditional import ConditionalBatchNorm2d
from tests.models.test_counts import bn, conv, d_block, d_first, linear


def conditional_bn(channels, classes):  # BatchNorm2d(affine=False) + Embedding(classes, 2 * channels)
    return 2 * channels * classes


def conditional_g_block(i, o, classes):
    return conditional_bn(i, classes) + conv(i, o, 3) + conditional_bn(o, classes) + conv(o, o, 3) + conv(i, o, 1)


@pytest.mark.parametrize("classes", [10, 100])
def test_sngan_conditional_at_32_px_has_mimicrys_cgan_pd_32_parameter_counts(classes):
    ngf, ndf = 256, 128  # cgan_pd_32.py: ResNetGenerator32(ngf=256), ResNetDiscriminator32(ndf=128)
    generator_count = linear(128, 4 * 4 * ngf) + 3 * conditional_g_block(ngf, ngf, classes) + bn(ngf) + conv(ngf, 3, 3)
    critic_count = (
        d_first(3, ndf)
        + d_block(ndf, ndf, True)
        + 2 * d_block(ndf, ndf, False)
        + linear(ndf, 1)
        + classes * ndf  # l_y = SNEmbedding(num_classes, ndf)
    )
    generator, critic = build_model("sngan", (3, 32, 32), num_classes=classes)
    assert sum(p.numel() for p in generator.parameters()) == generator_count
    assert sum(p.numel() for p in critic.parameters()) == critic_count


def test_conditional_batch_norm_is_the_class_gain_and_bias_on_the_batch_normalized_input():
    torch.manual_seed(0)
    norm = ConditionalBatchNorm2d(3, classes=4)
    with torch.no_grad():
        norm.gains.weight.copy_(torch.randn(4, 3))
        norm.biases.weight.copy_(torch.randn(4, 3))
    x, labels = torch.randn(8, 3, 5, 5), torch.tensor([0, 1, 2, 3, 3, 2, 1, 0])
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    variance = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    normalized = (x - mean) / torch.sqrt(variance + 1e-5)
    expected = norm.gains.weight[labels][:, :, None, None] * normalized + norm.biases.weight[labels][:, :, None, None]
    torch.testing.assert_close(norm(x, labels), expected)


@pytest.mark.parametrize(("arch", "shape"), [("dcgan", (1, 32, 32)), ("sngan", (3, 32, 32)), ("mlp", (2,))])
def test_the_critic_is_a_projection_discriminator(arch, shape):
    torch.manual_seed(0)
    _, critic = build_model(arch, shape, num_classes=5, width=8 if arch != "sngan" else 16)
    x = torch.randn(6, *shape)
    first, second = torch.tensor([0] * 6), torch.tensor([3] * 6)
    # D(x, y) - D(x, y') = <embed(y) - embed(y'), φ(x)>, with φ(x) what the output layer reads
    output_layer, _ = critic.projection_layers
    captured = {}

    def capture(module, inputs, output) -> None:
        captured.setdefault("features", inputs[0].flatten(1))

    hook = dict(critic.named_modules())[output_layer].register_forward_hook(capture)
    difference = critic(x, first) - critic(x, second)
    hook.remove()
    embedding = critic.embedding.weight  # (dim, classes)
    expected = captured["features"] @ (embedding[:, 0] - embedding[:, 3])
    torch.testing.assert_close(difference, expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="needs the classes"):
        critic(x)


@pytest.mark.parametrize(("arch", "shape"), [("dcgan", (1, 32, 32)), ("sngan", (3, 32, 32)), ("mlp", (2,))])
def test_the_generator_draws_for_the_class_it_is_given(arch, shape):
    torch.manual_seed(0)
    generator, _ = build_model(arch, shape, num_classes=3, width=8 if arch != "sngan" else 16)
    generator.eval()
    norms = [m for m in generator.modules() if isinstance(m, ConditionalBatchNorm2d)]
    if arch == "sngan":  # SNGAN starts every class at gain 1, bias 0 (plain batch norm); give them their own
        assert all(torch.equal(m.gains.weight, torch.ones_like(m.gains.weight)) for m in norms)
        with torch.no_grad():
            for m in norms:
                m.gains.weight.normal_(1, 0.5)
    z = torch.randn(4, generator.latent_dim)
    with torch.no_grad():
        zeros, twos = generator(z, torch.zeros(4, dtype=torch.long)), generator(z, torch.full((4,), 2))
    assert zeros.shape == (4, *shape) and not torch.allclose(zeros, twos)
    with pytest.raises(ValueError, match="needs the classes"):
        generator(z)


def test_an_unconditional_build_has_no_class_parameters():
    generator, critic = build_model("mlp", (2,), width=8)
    assert critic.embedding is None and critic.projection_layers is None
    assert not any(isinstance(m, ConditionalBatchNorm2d) for m in generator.modules())
    conditional_generator, _ = build_model("mlp", (2,), width=8, num_classes=4)
    # the class enters the MLP generator one-hot beside the latent (no batch norm to condition)
    z, labels = torch.randn(3, 2), torch.tensor([0, 1, 3])
    first = conditional_generator.net[0]
    torch.testing.assert_close(
        first(torch.cat([z, F.one_hot(labels, 4).float()], 1)),
        z @ first.weight[:, :2].T + first.weight[:, 2:][:, labels].T + first.bias,
    )
