import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganlip.constraints import build
from ganlip.constraints.cayley import CayleyConv2d, apply_in_fourier, cayley, fourier_matrices
from ganlip.errors import GanlipError
from ganlip.gradients import input_gradient_norms
from ganlip.models.activations import GroupSort
from ganlip.models.dcgan import DCGANCritic


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (3, 6, 4)])
@pytest.mark.parametrize("dtype", [torch.float64, torch.complex128])
def test_the_cayley_transform_has_orthonormal_columns_or_rows(shape, dtype):
    q = cayley(torch.randn(shape, dtype=dtype))
    gram = q.mH @ q if shape[-2] >= shape[-1] else q @ q.mH
    assert torch.allclose(gram, torch.eye(min(shape[-2:]), dtype=dtype).expand_as(gram), atol=1e-10)


def test_a_square_real_matrix_gets_the_classic_cayley_transform_of_its_skew_part():
    w = torch.randn(5, 5, dtype=torch.float64)
    skew, identity = w - w.T, torch.eye(5, dtype=torch.float64)
    assert torch.allclose(cayley(w), (identity - skew) @ torch.linalg.inv(identity + skew), atol=1e-10)


@pytest.mark.parametrize(("kernel", "padding"), [(3, (1, 1, 1, 1)), (2, (0, 1, 0, 1)), (5, (2, 2, 2, 2))])
def test_multiplying_by_the_kernels_fourier_matrices_is_a_circular_convolution(kernel, padding):
    x = torch.randn(2, 3, 8, 6, dtype=torch.float64)
    weight = torch.randn(4, 3, kernel, kernel, dtype=torch.float64)
    reference = F.conv2d(F.pad(x, padding, mode="circular"), weight)
    assert torch.allclose(apply_in_fourier(x, fourier_matrices(weight, (8, 6))), reference, atol=1e-10)


def dense_matrix(layer: nn.Module, shape: tuple[int, ...]) -> torch.Tensor:
    """The layer's linear part as a matrix, column by column from the unit inputs."""
    layer = layer.double()
    zero = layer(torch.zeros(1, *shape, dtype=torch.float64))
    basis = torch.eye(torch.Size(shape).numel(), dtype=torch.float64).view(-1, *shape)
    return (layer(basis) - zero).flatten(1).T


@pytest.mark.parametrize(
    ("conv", "size"),
    [
        (nn.Conv2d(3, 5, 3, 1, 1), 8),  # widening, stride 1: an isometry
        (nn.Conv2d(6, 4, 3, 1, 1), 6),  # narrowing: orthonormal rows
        (nn.Conv2d(4, 6, 4, 2, 1), 8),  # the DCGAN critic's downsampling convolution
        (nn.Conv2d(8, 3, 4, 1, 0), 4),  # a kernel covering the input: a dense map
        (nn.Conv2d(3, 4, 3, 1, "same"), 6),
    ],
)
def test_every_singular_value_of_a_cayley_convolution_is_one(conv, size):
    matrix = dense_matrix(CayleyConv2d(conv), (conv.in_channels, size, size))
    values = torch.linalg.svdvals(matrix)
    assert len(values) == min(matrix.shape)
    assert torch.allclose(values, torch.ones_like(values), atol=1e-6)


def test_a_dcgan_critic_whose_layers_never_widen_keeps_gradient_norms_with_groupsort():
    """One channel at 32 px, width 4: 1·4 → 4, 4·4 → 8, 8·4 → 16 channels after each unshuffle, then a dense map."""
    torch.manual_seed(0)
    critic = build("cayley").attach(DCGANCritic(1, 32, 4, GroupSort)).double()
    norms = input_gradient_norms(critic, torch.randn(16, 1, 32, 32, dtype=torch.float64))
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-8)
    wide = build("cayley").attach(DCGANCritic(3, 32, 64, GroupSort)).double()
    norms = input_gradient_norms(wide, torch.randn(8, 3, 32, 32, dtype=torch.float64))
    assert (norms <= 1 + 1e-8).all() and (norms < 0.9).all()  # its first layer widens 12 into 64 channels


def test_linear_layers_get_orthonormal_weights():
    critic = build("cayley").attach(nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.Linear(8, 1)))
    for layer in (critic[0], critic[2], critic[3]):
        values = torch.linalg.svdvals(layer.weight.detach().double())
        assert torch.allclose(values, torch.ones_like(values), atol=1e-5)


@pytest.mark.parametrize(("conv", "size"), [(nn.Conv2d(4, 8, 4, 2, 1), 16), (nn.Conv2d(8, 2, 4, 1, 0), 4)])
def test_under_bf16_autocast_the_transform_runs_in_float32(conv, size):
    torch.manual_seed(0)
    layer = CayleyConv2d(conv)
    x = torch.randn(2, conv.in_channels, size, size)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under_amp = layer(x)
    assert under_amp.dtype == torch.float32
    assert torch.allclose(under_amp, layer(x), atol=1e-6)  # bf16 would differ by about 1e-2


def test_under_bf16_autocast_a_linear_weight_is_orthonormal_to_float32_precision():
    layer = build("cayley").attach(nn.Sequential(nn.Linear(16, 24)))[0]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        weight = layer.weight
    assert weight.dtype == torch.float32
    assert torch.allclose(weight.T @ weight, torch.eye(16), atol=1e-5)


@pytest.mark.parametrize(
    ("conv", "message"),
    [
        (nn.Conv2d(3, 4, 3, 1, 0), r"taken as a dense map .* got \(8, 8\)"),
        (nn.Conv2d(3, 4, 5, 1, 1), r"changes the size otherwise than by its stride"),
    ],
)
def test_a_convolution_that_shrinks_its_input_is_refused_with_the_fix(conv, message):
    with pytest.raises(GanlipError, match=rf"cayley: .*{message}.*'same' padding"):
        CayleyConv2d(conv)(torch.randn(1, 3, 8, 8))


@pytest.mark.parametrize("name", ["cayley", "soc"])
def test_a_reparametrized_convolution_is_refused_rather_than_dropped(name):
    with pytest.raises(GanlipError, match=f"{name} replaces the critic's convolutions"):
        build(f"ws+{name}").attach(DCGANCritic(1, 32, 4, GroupSort))


def test_a_convolutions_scale_is_fixed_at_its_first_call_and_a_linear_layers_trained():
    layer = CayleyConv2d(nn.Conv2d(3, 4, 3, 1, 1))
    x = torch.randn(1, 3, 8, 8)
    before = layer(x)
    alpha = layer.alpha.clone()
    with torch.no_grad():
        layer.weight.mul_(2)
    assert torch.equal(layer.alpha, alpha) and torch.allclose(layer(x), before, atol=1e-6)
    linear = build("cayley").attach(nn.Sequential(nn.Linear(4, 4)))[0]
    scale = linear.parametrizations.weight[0].alpha
    assert scale.requires_grad and scale in set(linear.parameters())
