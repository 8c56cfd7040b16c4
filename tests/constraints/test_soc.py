import math

import pytest
import torch
from torch import nn

from ganlip.constraints import build
from ganlip.constraints.soc import SkewOrthogonalConv2d, skew_kernel
from ganlip.gradients import input_gradient_norms
from ganlip.models.activations import GroupSort
from ganlip.models.dcgan import DCGANCritic
from tests.constraints.test_cayley import dense_matrix


def soc_layer(conv: nn.Conv2d, **params) -> SkewOrthogonalConv2d:
    return SkewOrthogonalConv2d(
        conv, build("soc" + (":" + ",".join(f"{k}={v}" for k, v in params.items()) if params else ""))
    )


def test_the_skew_kernels_convolution_is_a_skew_symmetric_operator():
    skew = skew_kernel(torch.randn(4, 4, 3, 3, dtype=torch.float64))
    conv = nn.Conv2d(4, 4, 3, 1, 1, bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(skew)
    matrix = dense_matrix(conv, (4, 5, 5))
    assert torch.allclose(matrix, -matrix.T, atol=1e-12)


def remainder(terms: int, norm: float) -> float:
    """The bound on the series' error for `‖S‖ ≤ norm`: `Σ_{i > terms} normⁱ / i!`."""
    return sum(norm**i / math.factorial(i) for i in range(terms + 1, 40))


@pytest.mark.parametrize(
    ("conv", "size"),
    [
        (nn.Conv2d(3, 5, 3, 1, 1), 6),  # widening: channels padded to 5
        (nn.Conv2d(6, 4, 3, 1, 1), 6),  # narrowing: the output cut to 4
        (nn.Conv2d(4, 6, 4, 2, 1), 8),  # the DCGAN critic's downsampling convolution: 16 unshuffled channels
    ],
)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_the_singular_values_are_one_up_to_the_series_error(conv, size, mode):
    torch.manual_seed(0)
    layer = soc_layer(conv, init_iters=200).double()
    layer(torch.zeros(1, conv.in_channels, size, size, dtype=torch.float64))  # learns the input shape: σ converges
    layer.train(mode == "train")
    values = torch.linalg.svdvals(dense_matrix(layer, (conv.in_channels, size, size)))
    error = remainder(5 if mode == "train" else 12, 0.7 * 1.001)
    assert (values - 1).abs().max() <= error
    if mode == "train":
        assert (values - 1).abs().max() > error / 1000  # five terms leave a visible error


def test_a_dense_layer_and_linear_weights_are_exactly_orthonormal():
    layer = soc_layer(nn.Conv2d(8, 3, 4, 1, 0)).double()
    values = torch.linalg.svdvals(dense_matrix(layer, (8, 4, 4)))
    assert torch.allclose(values, torch.ones_like(values), atol=1e-10)
    critic = build("soc").attach(nn.Sequential(nn.Linear(2, 8), nn.Linear(8, 8), nn.Linear(8, 1))).double()
    for linear in critic:
        values = torch.linalg.svdvals(linear.weight.detach())
        assert torch.allclose(values, torch.ones_like(values), atol=1e-10)


def test_a_dcgan_critic_whose_layers_never_widen_keeps_gradient_norms_with_groupsort():
    torch.manual_seed(0)
    critic = build("soc:eval_terms=20").attach(DCGANCritic(1, 32, 4, GroupSort)).double()
    critic(torch.zeros(1, 1, 32, 32, dtype=torch.float64))
    critic.eval()
    norms = input_gradient_norms(critic, torch.randn(8, 1, 32, 32, dtype=torch.float64))
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-6)


def test_under_bf16_autocast_the_layer_computes_in_float32():
    torch.manual_seed(0)
    layer = soc_layer(nn.Conv2d(4, 8, 4, 2, 1))
    x = torch.randn(2, 4, 16, 16)
    layer.eval()
    layer(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        under_amp = layer(x)
    assert under_amp.dtype == torch.float32 and torch.allclose(under_amp, layer(x), atol=1e-6)


def test_bad_parameters_are_refused():
    from ganlip.errors import GanlipError

    with pytest.raises(GanlipError, match="soc: correction must be in"):
        build("soc:correction=1.5")
    with pytest.raises(GanlipError, match="soc: train_terms must be at least 1"):
        build("soc:train_terms=0")


def test_a_saved_layer_loads_back_with_its_power_iterations_vector():
    torch.manual_seed(0)
    layer = soc_layer(nn.Conv2d(4, 6, 4, 2, 1))
    x = torch.randn(2, 4, 8, 8)
    layer(x)
    layer.eval()
    fresh = soc_layer(nn.Conv2d(4, 6, 4, 2, 1)).eval()
    fresh.load_state_dict(layer.state_dict())
    assert fresh.u.shape == layer.u.shape and torch.equal(fresh(x), layer(x))
