import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganlip.constraints import build
from ganlip.metrics import spectra
from ganlip.metrics.spectra import conv_operator_norm, gradient_norm_maxima, lipschitz_upper_bound
from tests.conftest import conv_critic


def dense_operator(layer: nn.Module, input_shape) -> torch.Tensor:
    """The convolution (no bias) as a dense matrix: its action on every basis vector of the input."""
    n = torch.Size(input_shape).numel()
    basis = torch.eye(n, dtype=torch.float64).reshape(n, *input_shape)
    weight = layer.weight.detach().double()
    convolution = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[len(input_shape) - 1]
    columns = convolution(basis, weight, None, layer.stride, layer.padding, layer.dilation, layer.groups)
    return columns.reshape(n, -1).T


@pytest.mark.parametrize(
    ("arguments", "shape"),
    [
        (dict(in_channels=2, out_channels=3, kernel_size=3, padding=1), (2, 9)),
        (dict(in_channels=2, out_channels=2, kernel_size=2, stride=2), (2, 3, 4, 3)),
        (dict(in_channels=2, out_channels=3, kernel_size=3, padding=1), (2, 5, 5)),
        (dict(in_channels=2, out_channels=4, kernel_size=4, stride=2, padding=1), (2, 6, 6)),
        (dict(in_channels=3, out_channels=2, kernel_size=3, stride=2), (3, 7, 7)),  # needs output_padding
        (dict(in_channels=2, out_channels=2, kernel_size=3, padding=2, dilation=2), (2, 5, 4)),
    ],
)
def test_conv_operator_norm_matches_the_dense_matrix(arguments, shape):
    conv = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[len(shape) - 1](**arguments).double()
    expected = torch.linalg.svdvals(dense_operator(conv, shape))[0].item()
    assert conv_operator_norm(conv, shape, n_iter=2000, tol=1e-12) == pytest.approx(expected, rel=1e-6)


def test_records_per_layer():
    critic = conv_critic()
    build("sn").attach(critic)
    records = spectra(critic, (3, 8, 8))
    assert [r.name for r in records] == ["0", "2", "5"]
    assert [r.input_shape for r in records] == [(3, 8, 8), (8, 4, 4), (64,)]
    assert critic.training  # measured in eval mode, mode restored
    critic.eval()  # so that reading the weights below does not advance the power iteration
    for record, layer in zip(records, (critic[0], critic[2], critic[5]), strict=True):
        assert record.matrix_norm == pytest.approx(
            torch.linalg.svdvals(layer.weight.detach().flatten(1))[0].item(), rel=1e-5
        )
        raw = layer.parametrizations.weight.original.detach().flatten(1)
        # u, v have had only the warm-up iterations: the estimate is below the true σ of the raw weight
        assert 0 < record.power_estimate <= torch.linalg.svdvals(raw)[0].item() * (1 + 1e-5)
    assert records[-1].operator_norm == pytest.approx(records[-1].matrix_norm)


def test_upper_bound_is_above_every_gradient_norm():
    critic = conv_critic()
    records = spectra(critic, (3, 8, 8))
    maxima = gradient_norm_maxima(critic, torch.randn(64, 3, 8, 8), torch.randn(64, 3, 8, 8))
    assert set(maxima) == {"real", "fake", "interp"}
    assert max(maxima.values()) <= lipschitz_upper_bound(records, critic) * (1 + 1e-4)


def test_the_logged_estimate_is_of_the_weight_spectral_normalization_divides():
    """Under ws+sn, σ is that of the standardized weight (exact SVD), not of the raw one."""
    critic = conv_critic()
    build("ws+sn").attach(critic)
    critic.eval()
    for record, (name, layer) in zip(spectra(critic, (3, 8, 8)), _weighted(critic), strict=True):
        chain = layer.parametrizations.weight
        standardized = chain[0](chain.original.detach()).flatten(1).double()
        # to the 15 warm-up iterations' precision; of the raw weight it was 0.72 against 6.44
        assert record.power_estimate == pytest.approx(torch.linalg.matrix_norm(standardized, 2).item(), rel=5e-3)
        assert record.name == name


def _weighted(critic):
    return [(n, m) for n, m in critic.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_operator_norm_follows_the_layers_padding_mode(mode):
    """Reflected, repeated or wrapped pixels enter the convolution more than once: the dense Jacobian of the layer
    itself (its padding included) is the reference, not the zero-padded convolution."""
    conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode, bias=False).double()
    shape = (2, 5, 5)
    jacobian = torch.autograd.functional.jacobian(lambda x: conv(x[None]).flatten(), torch.zeros(shape).double())
    expected = torch.linalg.svdvals(jacobian.reshape(jacobian.shape[0], -1))[0].item()
    assert conv_operator_norm(conv, shape, n_iter=3000, tol=1e-13) == pytest.approx(expected, rel=1e-6)
    zero_padded = torch.linalg.svdvals(dense_operator(conv, shape))[0].item()
    assert abs(expected - zero_padded) > 1e-3  # the padding matters, so the test can tell


def test_an_orthonormalized_layer_reports_how_far_it_is_from_orthonormal():
    critic = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0)).double()
    with torch.no_grad():  # a badly conditioned weight, which one Björck step leaves far from orthonormal
        critic[0].weight.copy_(critic[0].weight @ torch.diag(torch.logspace(-3, 0, 32, dtype=torch.float64)))
    few, many = (build(f"bjorck:n_iter={n}").attach(copy.deepcopy(critic)) for n in (1, 80))
    records = spectra(few, (32,))
    weight = few[0].weight.detach()
    expected = (weight.T @ weight - torch.eye(32, dtype=torch.float64)).abs().max().item()
    assert records[0].orthonormality == pytest.approx(expected) and expected > 0.5
    wide = few[2].weight.detach()  # (1, 32): its rows are what is orthonormal
    assert records[1].orthonormality == pytest.approx(abs((wide @ wide.T).item() - 1), abs=1e-12)
    assert spectra(many, (32,))[0].orthonormality < 1e-6
    assert spectra(critic, (32,))[0].orthonormality is None  # no strategy promises it


def test_a_projection_critics_bound_is_its_head_for_the_worst_class_times_the_layers_below():
    from ganlip.models.mlp import MLPCritic

    torch.manual_seed(0)
    linear = MLPCritic(3, width=8, depth=0, classes=5)  # D(x, y) = (w + embed(y))·x + b: Lip = ‖w + embed(y)‖
    records = spectra(linear, (3,), labels=torch.arange(5))
    assert {record.name for record in records} == {"net.0", "embedding"}
    heads = (linear.net[0].weight[0][:, None] + linear.embedding.weight).norm(dim=0)  # one per class
    assert lipschitz_upper_bound(records, linear) == pytest.approx(heads.max().item(), rel=1e-6)
    # with a hidden layer the bound multiplies in that layer's norm (ReLU: slope at most 1), and holds
    deeper = MLPCritic(3, width=8, depth=1, classes=5)
    bound = lipschitz_upper_bound(spectra(deeper, (3,), labels=torch.arange(5)), deeper)
    hidden = torch.linalg.matrix_norm(deeper.net[0].weight.double(), ord=2).item()
    head = (deeper.net[2].weight[0][:, None] + deeper.embedding.weight).norm(dim=0).max().item()
    assert bound == pytest.approx(hidden * head, rel=1e-6)
    x = torch.randn(256, 3, requires_grad=True)
    for label in range(5):
        (gradient,) = torch.autograd.grad(deeper(x, torch.full((256,), label)).sum(), x)
        assert gradient.norm(dim=1).max() <= bound + 1e-6
