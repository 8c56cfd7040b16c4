import pytest
import torch

from ganlip.constraints import build
from tests.conftest import mlp_critic


def test_invariant_under_a_product_one_rescaling_where_l2_is_not():
    critic = mlp_critic(n_in=3, width=8).double()
    x = torch.randn(32, 3, dtype=torch.float64)
    weissi, l2 = build("weissi:lambda1=1,lambda2=1"), build("l2:weight=1")
    before = critic(x), weissi.penalty(critic, x, x), l2.penalty(critic, x, x)
    gammas = [4.0, 0.5, 0.5]  # product 1
    running = 1.0
    with torch.no_grad():
        for layer, gamma in zip((critic[0], critic[2], critic[4]), gammas, strict=True):
            running *= gamma
            layer.weight.mul_(gamma)
            layer.bias.mul_(running)
    assert torch.allclose(critic(x), before[0])
    assert weissi.penalty(critic, x, x).item() == pytest.approx(before[1].item(), rel=1e-12)
    assert l2.penalty(critic, x, x).item() != pytest.approx(before[2].item(), rel=1e-3)


def test_value_is_the_formula():
    critic = mlp_critic()
    expected = sum(
        2 * torch.linalg.vector_norm(m.weight).log() + 3 * (m.weight / torch.linalg.vector_norm(m.weight)).abs().sum()
        for m in (critic[0], critic[2], critic[4])
    )
    zero = torch.zeros(1)
    assert build("weissi:lambda1=2,lambda2=3").penalty(critic, zero, zero).item() == pytest.approx(
        expected.item(), rel=1e-5
    )
