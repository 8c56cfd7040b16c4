import pytest
import torch

from ganlip.constraints import build
from tests.conftest import mlp_critic


def test_only_norms_above_c_count():
    critic = mlp_critic()
    norms = [torch.linalg.vector_norm(layer.weight).item() for layer in (critic[0], critic[2], critic[4])]
    c = sorted(norms)[1]  # one layer below, one at, one above the threshold
    expected = 3 * sum(max(n - c, 0) ** 2 for n in norms)
    penalty = build(f"fpen:weight=3,c={c}").penalty(critic, torch.zeros(1, 2), torch.zeros(1, 2))
    assert penalty.item() == pytest.approx(expected, rel=1e-5)
    assert build("fpen:c=1000").penalty(critic, torch.zeros(1, 2), torch.zeros(1, 2)).item() == 0
