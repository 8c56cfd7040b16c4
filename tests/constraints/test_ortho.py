import pytest
import torch

from ganlip.constraints import build
from tests.conftest import conv_critic


def test_full_is_zero_on_orthonormal_columns_and_off_diagonal_on_orthogonal_ones():
    layer = torch.nn.Linear(6, 4, bias=False).double()
    q, _ = torch.linalg.qr(torch.randn(6, 4, dtype=torch.float64))  # orthonormal columns, in x out
    with torch.no_grad():
        layer.weight.copy_(q.T)
    zero = torch.zeros(1, dtype=torch.float64)
    assert build("ortho").penalty(layer, zero, zero).item() == pytest.approx(0, abs=1e-20)
    with torch.no_grad():
        layer.weight.mul_(torch.tensor([1.0, 2.0, 3.0, 0.5], dtype=torch.float64)[:, None])  # lengths change
    assert build("ortho-offdiag").penalty(layer, zero, zero).item() == pytest.approx(0, abs=1e-20)
    assert build("ortho").penalty(layer, zero, zero).item() > 1e-6


def test_values_match_the_formulas_on_a_conv_critic():
    critic = conv_critic()
    full, off = 0.0, 0.0
    for layer in (critic[0], critic[2], critic[5]):
        w = layer.weight.detach().flatten(1).T  # in x out
        gram = w.T @ w
        full += torch.linalg.matrix_norm(gram - torch.eye(len(gram))).item() ** 2
        off += torch.linalg.matrix_norm(gram - torch.diag(torch.diagonal(gram))).item() ** 2
    zero = torch.zeros(1)
    assert build("ortho:weight=1").penalty(critic, zero, zero).item() == pytest.approx(full, rel=1e-4)
    assert build("ortho-offdiag:weight=1").penalty(critic, zero, zero).item() == pytest.approx(off, rel=1e-4)
