import pytest
import torch

from ganlip.constraints import build
from tests.conftest import conv_critic


@pytest.mark.parametrize("c", [1.0, 0.5])
def test_effective_weights_have_frobenius_norm_c_and_spectral_norm_at_most_c(c):
    critic = conv_critic()
    build(f"fn:c={c}").attach(critic)
    for layer in (critic[0], critic[2], critic[5]):
        matrix = layer.weight.detach().flatten(1)
        assert torch.linalg.matrix_norm(matrix, ord="fro").item() == pytest.approx(c, rel=1e-5)
        assert torch.linalg.svdvals(matrix)[0].item() <= c * (1 + 1e-5)
        raw = layer.parametrizations.weight.original.detach()
        assert torch.allclose(layer.weight, c * raw / torch.linalg.vector_norm(raw), atol=1e-6)


def test_gradient_flows_to_the_raw_weight():
    critic = conv_critic()
    build("fn").attach(critic)
    critic(torch.randn(2, 3, 8, 8)).sum().backward()
    assert critic[0].parametrizations.weight.original.grad.abs().sum() > 0
