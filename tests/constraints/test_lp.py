import pytest
import torch

from ganlip.constraints import build
from tests.conftest import LinearCritic, mlp_critic


@pytest.mark.parametrize("norm", [0.1, 0.5, 0.99])
def test_zero_when_every_gradient_norm_is_below_one(norm):
    a = torch.randn(5, dtype=torch.float64)
    critic = LinearCritic(a * norm / a.norm())
    penalty = build("lp").penalty(
        critic, torch.randn(16, 5, dtype=torch.float64), torch.randn(16, 5, dtype=torch.float64)
    )
    assert penalty.item() == 0.0


def test_equals_the_two_sided_penalty_above_one():
    a = torch.randn(5, dtype=torch.float64)
    critic = LinearCritic(a * 3 / a.norm())
    real, fake = torch.randn(16, 5, dtype=torch.float64), torch.randn(16, 5, dtype=torch.float64)
    assert build("lp").penalty(critic, real, fake).item() == pytest.approx(10 * 2**2)


def test_only_samples_with_slope_above_one_count():
    critic = mlp_critic().double()
    x = torch.randn(64, 2, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(critic(x).sum(), x)
    excess = (gradient.norm(dim=1) - 1).clamp_min(0)
    assert torch.allclose(build("lp:weight=3").penalty(critic, x.detach(), x.detach()), 3 * excess.square().mean())
