import itertools

import torch
from torch import nn

from ganlip.constraints import build


def relu_mlp(widths: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers, nn.Flatten(0)).double()


def lower_bound(critic: nn.Sequential, x: torch.Tensor) -> float:
    """docs/strategies.md: ‖∇_x f‖² Σ_t (1 + ‖h_t‖²) / (‖W_t‖₂² ‖∇_x h_t‖₂²), h_t the input of linear layer t."""
    total = 0.0
    for index, layer in enumerate(critic):
        if not isinstance(layer, nn.Linear):
            continue
        prefix = critic[:index]  # maps x to h_t (the identity for the first layer)
        h = prefix(x[0])
        jacobian = torch.autograd.functional.jacobian(prefix, x[0])
        total += (1 + h.norm() ** 2) / (
            torch.linalg.matrix_norm(layer.weight, ord=2) ** 2 * torch.linalg.matrix_norm(jacobian, ord=2) ** 2
        )
    input_gradient = torch.autograd.functional.jacobian(lambda v: critic(v[None]).sum(), x[0])
    return (input_gradient.norm() ** 2 * total).item()


def test_parameter_gradient_bounds_the_input_gradient_on_random_relu_mlps():
    torch.manual_seed(0)
    for trial in range(20):
        critic = relu_mlp([4, 16, 16, 1] if trial % 2 else [3, 8, 1])
        x = torch.randn(1, critic[0].in_features, dtype=torch.float64)
        penalty = build("pgp:weight=1,at=real").penalty(critic, x, x)
        assert lower_bound(critic, x) <= penalty.item() * (1 + 1e-9)


def test_value_is_the_squared_parameter_gradient_norm():
    critic = relu_mlp([2, 8, 1])
    x = torch.randn(5, 2, dtype=torch.float64)
    gradients = torch.autograd.grad(critic(x).mean(), list(critic.parameters()))
    expected = sum(g.square().sum() for g in gradients)
    assert torch.allclose(build("pgp:weight=1,at=real").penalty(critic, x, x), expected)
