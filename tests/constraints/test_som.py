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
