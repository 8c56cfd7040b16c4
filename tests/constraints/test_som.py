import math

import torch
from torch import nn

from ganlip.constraints import build
from ganlip.constraints.som import sign_agreement
from tests.conftest import conv_critic


def test_theta_approaches_one_minus_two_angle_over_pi_for_gaussian_inputs():
    torch.manual_seed(0)
    filters = torch.randn(5, 8, dtype=torch.float64)
    x = torch.randn(200_000, 8, dtype=torch.float64)
    theta = sign_agreement(x @ filters.T, gamma=1e4)
    cosine = torch.nn.functional.normalize(filters, dim=1) @ torch.nn.functional.normalize(filters, dim=1).T
    expected = 1 - 2 * torch.arccos(cosine.clamp(-1, 1)) / math.pi
    assert torch.allclose(theta, expected, atol=0.01)


def test_penalty_reads_each_layers_outputs_through_hooks():
    critic = conv_critic()
    constraint = build("som:lambda1=0,lambda2=1")
    constraint.attach(critic)
    real, fake = torch.randn(6, 3, 8, 8), torch.randn(6, 3, 8, 8)
    outputs = {}
    hooks = [
        m.register_forward_hook(lambda m, i, o, n=n: outputs.__setitem__(n, o))
        for n, m in (("0", critic[0]), ("2", critic[2]))
    ]
    critic(torch.cat([real, fake]))
    for hook in hooks:
        hook.remove()
    expected = 0.0
    for y in outputs.values():
        theta = sign_agreement(y, 10.0)
        expected += (theta - torch.diag(torch.diagonal(theta))).square().sum()
    assert torch.allclose(constraint.penalty(critic, real, fake), expected)
    assert isinstance(critic[5], nn.Linear)  # the single-unit output layer has no pairs and is skipped


def test_penalty_with_the_default_weights_from_an_independent_computation():
    """Both terms at their defaults (lambda1 = 100, lambda2 = 1, gamma = 10) on an MLP whose layer outputs are
    computed here by hand, Theta entry by entry."""
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 1)).double()
    constraint = build("som")
    constraint.attach(critic)
    real, fake = torch.randn(7, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
    x = torch.cat([real, fake])
    first = x @ critic[0].weight.T + critic[0].bias
    second = first.clamp_min(0) @ critic[2].weight.T + critic[2].bias
    expected = 0.0
    for y in (first, second):
        z = torch.tanh(10 * y)
        units = y.shape[1]
        theta = [[(z[:, i] @ z[:, j]) / (z[:, i].norm() * z[:, j].norm()) for j in range(units)] for i in range(units)]
        pairs = [theta[i][j] for i in range(units) for j in range(units) if i != j]
        expected += 100 * sum(pairs) ** 2 + sum(p**2 for p in pairs)
    assert torch.allclose(constraint.penalty(critic, real, fake), expected)
