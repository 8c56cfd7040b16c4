import pytest
import torch
from torch import nn

from ganlip.constraints import build
from ganlip.errors import GanlipError
from ganlip.metrics.spectra import conv_operator_norm


def attached_with(raw: torch.Tensor, critic: nn.Sequential) -> nn.Sequential:
    """`aol` attached to a one-layer critic, whose raw weight (re-initialized by attaching) is then set to `raw`."""
    critic = build("aol").attach(critic)
    with torch.no_grad():
        critic[0].parametrizations.weight.original.copy_(raw)
    return critic


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (nn.Linear(7, 5), None),
        (nn.Linear(3, 9), None),
        (nn.Conv2d(3, 6, 3, padding=1), (3, 8, 8)),
        (nn.Conv2d(4, 8, 4, stride=2, padding=1), (4, 8, 8)),
        (nn.Conv2d(3, 5, 3, dilation=2, padding=2), (3, 9, 9)),
        (nn.Conv1d(2, 4, 5, padding=2), (2, 16)),
    ],
)
def test_every_effective_layer_is_1_lipschitz_whatever_its_raw_weight(layer, shape):
    raw = layer.weight.detach().double().clone()  # any weight training reaches, not only the initial one
    critic = attached_with(raw, nn.Sequential(layer.double()))
    weight = critic[0].weight.detach()
    assert torch.linalg.matrix_norm(weight.flatten(1), ord=2) <= 1 + 1e-9
    if shape is not None:
        assert conv_operator_norm(critic[0], shape, n_iter=3000, tol=1e-13) <= 1 + 1e-6


def test_a_linear_layer_is_scaled_by_the_closed_form():
    layer = nn.Linear(6, 4).double()
    raw = layer.weight.detach().clone()
    critic = attached_with(raw, nn.Sequential(layer))
    d = (raw.T @ raw).abs().sum(dim=1).rsqrt()  # d_j = (Σ_i |WᵀW|_ij)^(-1/2), one per input column
    assert torch.allclose(critic[0].weight, raw * d, atol=1e-12)


def test_a_convolution_is_scaled_by_its_kernels_correlation_over_every_shift():
    """The Gram matrix of a 1x1 convolution is that of its channel matrix; a 3x3 one adds the other shifts."""
    layer = nn.Conv2d(3, 4, 3, padding=1, bias=False).double()
    raw = layer.weight.detach().clone()
    critic = attached_with(raw, nn.Sequential(layer))
    total = torch.zeros(3, dtype=torch.float64)
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            for i in range(3):
                for j in range(3):
                    shifted = torch.zeros_like(raw[:, j])
                    ys, xs = slice(max(dy, 0), 3 + min(dy, 0)), slice(max(dx, 0), 3 + min(dx, 0))
                    yd, xd = slice(max(-dy, 0), 3 + min(-dy, 0)), slice(max(-dx, 0), 3 + min(-dx, 0))
                    shifted[:, yd, xd] = raw[:, j, ys, xs]
                    total[i] += (raw[:, i] * shifted).sum().abs()
    assert torch.allclose(critic[0].weight, raw * total.rsqrt().view(1, 3, 1, 1), atol=1e-12)


def test_an_orthogonal_layer_is_left_as_it_is_and_its_norm_is_1():
    layer = nn.Conv2d(5, 5, 3, padding=1, bias=False).double()
    with torch.no_grad():  # an orthogonal channel mix at the centre tap only: an orthogonal convolution
        layer.weight.zero_()
        layer.weight[:, :, 1, 1] = torch.linalg.qr(torch.randn(5, 5, dtype=torch.float64))[0]
    critic = build("aol").attach(nn.Sequential(layer))
    assert torch.allclose(critic[0].weight, critic[0].parametrizations.weight.original, atol=1e-12)
    assert conv_operator_norm(critic[0], (5, 6, 6), n_iter=500, tol=1e-13) == pytest.approx(1, abs=1e-6)


def test_grouped_convolutions_are_refused():
    with pytest.raises(GanlipError, match="aol: its bound covers ungrouped convolutions, not groups=2"):
        build("aol").attach(nn.Sequential(nn.Conv2d(4, 4, 3, groups=2)))
    with pytest.raises(GanlipError, match="aol and sn both normalize"):
        build("aol+sn")


def test_attaching_initializes_as_the_authors_code_so_every_dcgan_layer_starts_with_norm_1():
    """berndprach/AOL: an orthogonal centre tap for convolutions, (repeated) orthogonal dense layers, so that the
    rescaling starts tight: every layer of the 32-px DCGAN critic has operator norm 1 at step 0."""
    from ganlip.metrics.spectra import spectra
    from ganlip.models import build_model

    _, critic = build_model("dcgan", (3, 32, 32))
    critic = build("aol").attach(critic.double())
    for record in spectra(critic, (3, 32, 32), n_iter=500):
        assert record.operator_norm == pytest.approx(1.0, abs=1e-4), record.name
    for layer in critic.modules():
        if isinstance(layer, nn.Conv2d):
            kernel = layer.parametrizations.weight.original.detach()
            centre = (kernel.shape[2] - 1) // 2, (kernel.shape[3] - 1) // 2
            tap = kernel[:, :, centre[0], centre[1]]
            assert kernel.abs().sum() == pytest.approx(tap.abs().sum().item())  # only the centre tap
            small = tap @ tap.T if tap.shape[0] <= tap.shape[1] else tap.T @ tap
            torch.testing.assert_close(small, torch.eye(len(small), dtype=small.dtype), atol=1e-10, rtol=0)


def test_a_wide_linear_layer_starts_as_repeated_orthogonal_columns():
    """More inputs than outputs: each column a row of an orthogonal matrix over sqrt(its count), so every row of
    |WᵀW| sums to 1 and AOL's rescaling is the identity at step 0."""
    critic = build("aol").attach(nn.Sequential(nn.Linear(40, 6).double()))
    raw = critic[0].parametrizations.weight.original.detach()
    assert (raw.T @ raw).abs().sum(1) == pytest.approx(torch.ones(40, dtype=torch.float64))
    torch.testing.assert_close(critic[0].weight.detach(), raw)


def test_padding_modes_other_than_zeros_are_refused_where_the_bound_needs_zeros():
    layer = nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect")
    with pytest.raises(
        GanlipError, match="aol: its bound holds for zero-padded convolutions, not padding_mode='reflect'"
    ):
        build("aol").attach(nn.Sequential(layer))
    circular = build("aol").attach(nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular").double()))
    with torch.no_grad():  # any raw weight: a circular convolution's Gram only wraps the correlation's shifts
        circular[0].parametrizations.weight.original.normal_()
    assert conv_operator_norm(circular[0], (2, 5, 5), n_iter=3000, tol=1e-13) <= 1 + 1e-6
    with pytest.raises(GanlipError, match="sn:mode=operator: its bound holds for zero-padded"):
        build("sn:mode=operator").attach(nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")))
