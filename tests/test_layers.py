import pytest
import torch
from torch import nn

from ganlip.layers import conv, conv_adjoint, conv_arguments, power_iteration, weight_matrix, weighted_layers

CONVOLUTIONS = [
    (nn.Conv1d(2, 3, kernel_size=4, stride=2, padding=1), (2, 9)),
    (nn.Conv2d(3, 2, kernel_size=3, stride=2), (3, 7, 6)),  # the stride drops a column: needs output padding
    (nn.Conv3d(2, 2, kernel_size=3, padding=2, dilation=2), (2, 4, 5, 3)),
]


@pytest.mark.parametrize(("layer", "shape"), CONVOLUTIONS)
def test_conv_adjoint_is_the_transpose(layer, shape):
    """⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for every x and y: the defining property of the adjoint."""
    weight, arguments = layer.weight.detach().double(), conv_arguments(layer)
    x = torch.randn(1, *shape, dtype=torch.float64)
    y = torch.randn_like(conv(x, weight, arguments))
    assert (conv(x, weight, arguments) * y).sum() == pytest.approx(
        (x * conv_adjoint(y, weight, arguments, shape[1:])).sum()
    )


def test_power_iteration_finds_the_top_singular_pair():
    matrix = torch.randn(7, 5, dtype=torch.float64)
    u, v = torch.randn(7, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
    power_iteration(matrix, u, v, n_iter=500)
    assert u @ matrix @ v == pytest.approx(torch.linalg.matrix_norm(matrix, ord=2).item(), rel=1e-9)


def test_every_affine_layer_is_weighted_and_flattened_to_out_by_in_times_kernel():
    critic = nn.Sequential(nn.Conv1d(2, 4, 3), nn.ReLU(), nn.Conv3d(4, 4, 2), nn.Flatten(), nn.Linear(8, 1))
    assert [name for name, _ in weighted_layers(critic)] == ["0", "2", "4"]
    assert weight_matrix(critic[2].weight).shape == (4, 4 * 2 * 2 * 2)
    assert weight_matrix(torch.ones(3)).shape == (1, 3)
