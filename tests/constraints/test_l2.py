import pytest
import torch

from ganlip.constraints import build
from tests.conftest import conv_critic


def test_sum_of_squared_frobenius_norms_of_weights_not_biases():
    critic = conv_critic()
    expected = sum(torch.linalg.matrix_norm(m.weight.flatten(1)).item() ** 2 for m in (critic[0], critic[2], critic[5]))
    penalty = build("l2:weight=0.5").penalty(critic, torch.zeros(1), torch.zeros(1))
    assert penalty.item() == pytest.approx(0.5 * expected, rel=1e-5)
