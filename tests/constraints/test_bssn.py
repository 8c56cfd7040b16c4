import pytest
import torch
from torch import nn

from ganlip.constraints import build
from ganlip.errors import GanlipError
from tests.conftest import conv_critic, mlp_critic
from tests.constraints.test_sn import converge


def two_sided_sigma(kernel: torch.Tensor) -> float:
    """The mean of the spectral norms of the kernel as `(out, in·k·k)` and as `(in, out·k·k)`, by SVD."""
    fan_in = torch.linalg.matrix_norm(kernel.flatten(1).double(), ord=2)
    fan_out = torch.linalg.matrix_norm(kernel.transpose(0, 1).flatten(1).double(), ord=2)
    return ((fan_in + fan_out) / 2).item()


def test_a_convolution_is_scaled_by_the_mean_of_its_two_spectral_norms():
    critic = conv_critic()
    build("bssn:scale=1.5").attach(critic)
    converge(critic)
    for layer in (critic[0], critic[2]):
        raw = layer.parametrizations.weight.original.detach()
        assert raw.flatten(1).shape[0] != raw.transpose(0, 1).flatten(1).shape[0]  # the two sides differ
        assert torch.allclose(layer.weight.detach().double(), 1.5 * raw.double() / two_sided_sigma(raw), atol=1e-5)


def test_a_linear_layer_has_spectral_norm_scale():
    critic = mlp_critic()
    build("bssn:scale=0.7").attach(critic)
    converge(critic)
    for layer in (critic[0], critic[2], critic[4]):
        assert torch.linalg.matrix_norm(layer.weight.detach().double(), ord=2).item() == pytest.approx(0.7, abs=1e-5)


def test_the_power_step_is_differentiated_through():
    """Far from convergence the step matters: the gradient is the one of the source's graph (BSN `gan/sn.py`
    lines 39-50), `σ = u'ᵀWv` with `v = Wᵀu/‖Wᵀu‖` and `u' = Wv/‖Wv‖` both functions of `W`, which differs from
    treating `u` and `v` as constants, as SN does."""
    layer = nn.Linear(6, 4).double()
    build("bssn").attach(layer)
    start = torch.nn.functional.normalize(torch.randn(4, dtype=torch.float64), dim=0)
    layer.parametrizations.weight[0].u0.copy_(start)
    raw = layer.parametrizations.weight.original
    direction = torch.randn(4, 6, dtype=torch.float64)
    (ours,) = torch.autograd.grad((layer.weight * direction).sum(), raw)

    def gradient(sigma_of) -> torch.Tensor:
        w = raw.detach().clone().requires_grad_(True)
        return torch.autograd.grad((w / sigma_of(w) * direction).sum(), w)[0]

    def through_the_step(w: torch.Tensor) -> torch.Tensor:
        v = w.T @ start / (w.T @ start).norm()
        return (w @ v / (w @ v).norm()) @ w @ v

    def constants(w: torch.Tensor) -> torch.Tensor:
        v = (w.T @ start / (w.T @ start).norm()).detach()
        return (w @ v / (w @ v).norm()).detach() @ w @ v

    assert torch.allclose(ours, gradient(through_the_step), atol=1e-10)
    assert not torch.allclose(ours, gradient(constants), atol=1e-3)


def test_eval_mode_does_not_advance_the_power_iteration():
    critic = conv_critic()
    build("bssn").attach(critic)
    critic.eval()
    before = [buffer.clone() for buffer in critic.buffers()]
    critic[0].weight  # noqa: B018
    assert all(torch.equal(b, a) for b, a in zip(before, critic.buffers(), strict=True))


def test_the_recipe_is_the_authors_cnn_config():
    recipe = build("bssn").recipe
    assert (recipe.lr, recipe.betas, recipe.loss, recipe.n_critic) == (1e-4, (0.5, 0.999), "hinge", 1)


def test_a_scale_of_zero_is_refused():
    with pytest.raises(GanlipError, match="bssn: scale must be positive"):
        build("bssn:scale=0")
