"""ganlip's Lipschitz layers against the libraries that implement the same method, on the same weights: the
Cayley convolution against orthogonium's port of the authors' code, Frobenius normalization, Björck
orthonormalization and GroupSort against deel-torchlip. Test-only dependencies (the `test` extra)."""

import pytest
import torch
from torch import nn

from ganlip.constraints import build
from ganlip.constraints.cayley import CayleyConv2d
from ganlip.models.activations import GroupSort

legacy_cayley = pytest.importorskip("orthogonium.legacy.cayley_ortho_conv")
torchlip = pytest.importorskip("deel.torchlip")


@pytest.mark.parametrize(("channels", "stride", "kernel", "size"), [((4, 6), 1, 3, 12), ((3, 8), 2, 4, 16)])
def test_the_cayley_convolution_matches_the_authors_layer(channels, stride, kernel, size):
    torch.manual_seed(0)
    theirs = legacy_cayley.Cayley(*channels, kernel, stride=stride)
    ours = CayleyConv2d(nn.Conv2d(*channels, kernel, stride, (kernel - stride) // 2))
    with torch.no_grad():
        ours.weight.copy_(theirs.weight)
        ours.bias.copy_(theirs.bias)
        # Their scale α multiplies W/‖W‖_F at the input's frequencies; set so, their transform is of W itself.
        theirs.alpha.copy_(torch.fft.rfft2(theirs.weight, (size // stride,) * 2).norm())
    x = torch.randn(2, channels[0], size, size)
    assert torch.allclose(ours(x), theirs(x), atol=1e-5)
    with torch.no_grad():  # both keep α from their first call: the transform is of α Ŵ/‖Ŵ‖, not of Ŵ
        ours.weight.mul_(3)
        theirs.weight.mul_(3)
    assert torch.allclose(ours(x), theirs(x), atol=1e-5)


def test_frobenius_normalization_matches_torchlips():
    theirs = torchlip.FrobeniusLinear(6, 4, disjoint_neurons=False)  # the whole matrix, as fn (not row by row)
    ours = nn.Linear(6, 4)
    with torch.no_grad():
        ours.weight.copy_(theirs.weight)
    build("fn").attach(ours)
    assert torch.allclose(ours.weight, theirs.vanilla_export().weight, atol=1e-6)


def test_bjorck_orthonormalization_reaches_torchlips_orthonormal_weight():
    """deel-torchlip divides by σ (power iteration) and iterates Björck to a tolerance of 1e-3; both approach the
    polar factor `U Vᵀ` of the weight, so they agree to that tolerance."""
    torch.manual_seed(0)
    theirs = torchlip.SpectralLinear(12, 12)
    theirs(torch.randn(4, 12))  # one training-mode pass: its cached orthonormal weight is computed
    ours = nn.Linear(12, 12)
    with torch.no_grad():
        ours.weight.copy_(theirs.parametrizations.weight.original)
    build("bjorck:n_iter=60").attach(ours)
    assert torch.allclose(ours.weight, theirs.vanilla_export().weight, atol=1e-2)
    u, _, vh = torch.linalg.svd(ours.parametrizations.weight.original.double())
    assert torch.allclose(ours.weight.double(), u @ vh, atol=1e-5)


def test_groupsort_matches_torchlips_with_each_pair_in_the_other_order():
    x = torch.randn(5, 8, 3, 3)
    theirs = torchlip.GroupSort2()(x)  # (min, max) in each pair of adjacent channels
    ours = GroupSort()(x)  # (max, min)
    assert torch.equal(ours, theirs.unflatten(1, (4, 2)).flip(2).flatten(1, 2))
