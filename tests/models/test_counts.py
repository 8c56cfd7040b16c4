"""Parameter counts against the reference code's layer lists, counted here independently of our modules.

Sources: WGAN-GP, github.com/igul222/improved_wgan_training, gan_cifar_resnet.py (32 px, DIM_G = DIM_D = 128)
and gan_64x64.py GoodGenerator / GoodDiscriminator (64 px, DIM = 64); SNGAN at mimicry's widths,
github.com/kwotsin/mimicry, torch_mimicry/nets/sngan/sngan_{32,48,64,128}.py with resblocks.py (GBlock,
DBlock, DBlockOptimized); DCGAN, Radford et al. 2016 (64 px: G 1024-512-256-128 from a 100-d z in the paper;
here with its PyTorch-example widths 512-256-128-64 and no bias before batch norm)."""

import itertools

import pytest

from ganlip.models.registry import parameter_counts


def conv(i, o, k):
    return i * o * k * k + o


def bn(c):
    return 2 * c


def linear(i, o):
    return i * o + o


def g_block(i, o):  # BN, ReLU, upsample-conv3x3, BN, ReLU, conv3x3, + upsample-conv1x1 shortcut
    return bn(i) + conv(i, o, 3) + bn(o) + conv(o, o, 3) + conv(i, o, 1)


def d_block(i, o, down):  # ReLU, conv3x3 i→i, ReLU, conv3x3 i→o, [pool]; learnable shortcut if shape changes
    return conv(i, i, 3) + conv(i, o, 3) + (conv(i, o, 1) if i != o or down else 0)


def d_first(i, o):
    return conv(i, o, 3) + conv(o, o, 3) + conv(i, o, 1)


def generator(latent, widths, bottom=4):
    return (
        linear(latent, bottom * bottom * widths[0])
        + sum(g_block(a, b) for a, b in itertools.pairwise(widths))
        + bn(widths[-1])
        + conv(widths[-1], 3, 3)
    )


REFERENCE = {
    ("resnet", 32): (
        generator(128, [128] * 4),
        d_first(3, 128) + d_block(128, 128, True) + 2 * d_block(128, 128, False) + linear(128, 1),
    ),
    ("resnet", 64): (
        generator(128, [512, 512, 256, 128, 64]),
        conv(3, 64, 3)
        + d_block(64, 128, True)
        + d_block(128, 256, True)
        + d_block(256, 512, True)
        + d_block(512, 512, True)
        + linear(4 * 4 * 512, 1),
    ),
    ("sngan", 32): (
        generator(128, [256] * 4),
        d_first(3, 128) + d_block(128, 128, True) + 2 * d_block(128, 128, False) + linear(128, 1),
    ),
    ("sngan", 48): (
        generator(128, [512, 256, 128, 64], bottom=6),
        d_first(3, 64)
        + d_block(64, 128, True)
        + d_block(128, 256, True)
        + d_block(256, 512, True)
        + d_block(512, 1024, False)
        + linear(1024, 1),
    ),
    ("sngan", 64): (
        generator(128, [1024, 512, 256, 128, 64]),
        d_first(3, 64)
        + d_block(64, 128, True)
        + d_block(128, 256, True)
        + d_block(256, 512, True)
        + d_block(512, 1024, True)
        + linear(1024, 1),
    ),
    ("sngan", 128): (
        generator(128, [1024, 1024, 512, 256, 128, 64]),
        d_first(3, 64)
        + d_block(64, 128, True)
        + d_block(128, 256, True)
        + d_block(256, 512, True)
        + d_block(512, 1024, True)
        + d_block(1024, 1024, False)
        + linear(1024, 1),
    ),
    ("dcgan", 64): (
        128 * 512 * 16
        + bn(512)
        + 512 * 256 * 16
        + bn(256)
        + 256 * 128 * 16
        + bn(128)
        + 128 * 64 * 16
        + bn(64)
        + 64 * 3 * 16
        + 3,
        conv(3, 64, 4) + conv(64, 128, 4) + conv(128, 256, 4) + conv(256, 512, 4) + conv(512, 1, 4),
    ),
}


@pytest.mark.parametrize(("arch", "resolution"), sorted(REFERENCE))
def test_parameter_counts_match_the_reference_code(arch, resolution):
    counts = {r: (g, d) for r, g, d in parameter_counts(arch)}
    assert counts[resolution] == REFERENCE[(arch, resolution)]


def test_sngan_32_is_the_commonly_quoted_size():
    """SNGAN's CIFAR ResNet: about 4.3M generator and 1.1M critic parameters."""
    (_, g, d), *_ = parameter_counts("sngan")
    assert 4.2e6 < g < 4.4e6 and 1.0e6 < d < 1.1e6
