import pytest
import torch
from torch import nn

from ganlip.constraints import build
from ganlip.gradients import (
    input_gradient_norms,
    input_gradients,
    interpolate,
    penalty_points,
    per_sample_parameter_gradients,
    unwrapped,
)
from tests.conftest import mlp_critic


class Quadratic(nn.Module):
    """D(x) = ½‖A x‖²: ∇_x D = AᵀA x, and ∇_A D = A x xᵀ."""

    def __init__(self, a: torch.Tensor):
        super().__init__()
        self.a = nn.Parameter(a)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * (x @ self.a.T).square().sum(1)


def test_input_gradients_are_the_closed_form():
    critic = Quadratic(torch.randn(3, 4, dtype=torch.float64))
    x = torch.randn(5, 4, dtype=torch.float64)
    a = critic.a.detach()
    assert torch.allclose(input_gradients(critic, x), x @ a.T @ a)
    assert torch.allclose(input_gradient_norms(critic, x), (x @ a.T @ a).norm(dim=1))


def test_per_sample_parameter_gradients_are_the_closed_form_and_differentiable():
    critic = Quadratic(torch.randn(3, 4, dtype=torch.float64))
    x = torch.randn(5, 4, dtype=torch.float64)
    (gradients,) = per_sample_parameter_gradients(critic, x)
    a = critic.a.detach()
    assert torch.allclose(gradients, torch.einsum("bo,bi->boi", x @ a.T, x))
    # Σ_b Σ_oi (A x_b)_o x_bi = Σ_b (1ᵀA x_b)(1ᵀx_b), whose gradient in A is 1 (Σ_b (1ᵀx_b) x_b)ᵀ
    (second,) = torch.autograd.grad(gradients.sum(), critic.a)
    expected = torch.ones(3, 1, dtype=torch.float64) @ (x.sum(1, keepdim=True) * x).sum(0, keepdim=True)
    assert torch.allclose(second, expected)


def test_per_sample_parameter_gradients_match_one_backward_per_sample():
    critic = build("sn").attach(mlp_critic().double()).eval()
    x = torch.randn(6, 2, dtype=torch.float64)
    batched = per_sample_parameter_gradients(critic, x)
    parameters = [p for p in critic.parameters() if p.requires_grad]
    for i in range(len(x)):
        looped = torch.autograd.grad(critic(x[i : i + 1]).sum(), parameters)
        assert all(torch.allclose(b[i], g) for b, g in zip(batched, looped, strict=True))


def test_interpolates_lie_on_each_real_fake_segment():
    real, fake = torch.randn(64, 3), torch.randn(64, 3)
    points = interpolate(real, fake, torch.Generator().manual_seed(0))
    eps = (points - fake) / (real - fake)  # the same in every coordinate of a sample
    assert torch.allclose(eps, eps[:, :1].expand_as(eps), atol=1e-4)
    assert ((eps >= 0) & (eps <= 1)).all() and eps[:, 0].std() > 0.2  # one fresh U[0, 1] per sample


@pytest.mark.parametrize(("at", "count", "total"), [("real", 4, 0), ("fake", 4, 8), ("both", 8, 8)])
def test_penalty_points_are_the_batches_at_names(at, count, total):
    points = penalty_points(at, torch.zeros(4, 2), torch.ones(4, 2))
    assert len(points) == count and points.sum().item() == total


def test_unwrapped_finds_the_module_inside_compile():
    critic = mlp_critic()
    assert unwrapped(torch.compile(critic)) is critic and unwrapped(critic) is critic
