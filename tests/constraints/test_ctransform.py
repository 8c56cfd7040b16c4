"""`ctransform`: the critic loss it makes against Kantorovich's dual with the c-transform computed by brute force,
and the closed forms for a 1-Lipschitz critic."""

import torch
from torch import nn

from ganlip.constraints import build
from ganlip.losses import WassersteinLoss


def c_transform_loss(critic, real, fake) -> torch.Tensor:
    """`−(mean_x D(x) + mean_y min_i (‖x_i − y‖ − D(x_i)))`, one fake at a time."""
    scores = critic(real).flatten()
    transform = torch.stack([((real - y).norm(dim=1) - scores).min() for y in fake])
    return -(scores.mean() + transform.mean())


def test_with_the_wgan_loss_it_is_the_c_transform_dual_and_fake_scores_cancel():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1)).double()
    real, fake = torch.randn(9, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
    constraint = build("ctransform")
    ours = WassersteinLoss().critic(critic(real).flatten(), critic(fake).flatten()) + constraint.penalty(
        critic, real, fake
    )
    reference = c_transform_loss(critic, real, fake)
    assert torch.allclose(ours, reference, atol=1e-12)
    ours_grads = torch.autograd.grad(ours, list(critic.parameters()))
    reference_grads = torch.autograd.grad(reference, list(critic.parameters()))
    assert all(torch.allclose(a, b, atol=1e-10) for a, b in zip(ours_grads, reference_grads, strict=True))


def test_for_a_1_lipschitz_critic_the_term_is_at_most_zero_and_zero_on_the_real_batch():
    """`D(x_i) − ‖x_i − y‖ ≤ D(y)` for a 1-Lipschitz `D`, with equality at `y = x_i`."""
    critic = nn.Linear(4, 1).double()
    with torch.no_grad():
        critic.weight.div_(critic.weight.norm())
    real, fake = torch.randn(12, 4, dtype=torch.float64), torch.randn(10, 4, dtype=torch.float64)
    constraint = build("ctransform")
    assert constraint.penalty(critic, real, fake).item() <= 0
    assert abs(constraint.penalty(critic, real, real.clone()).item()) < 1e-12
