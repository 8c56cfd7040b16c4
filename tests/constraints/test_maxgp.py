import pytest
import torch

from ganlip.constraints import build
from ganlip.constraints.base import Trait
from ganlip.errors import GanlipError
from tests.conftest import LinearCritic, mlp_critic


def test_on_a_linear_critic_the_penalty_is_weight_times_the_squared_slope():
    a = torch.tensor([3.0, 4.0], dtype=torch.float64)  # ‖∇D‖ = 5 at every point
    penalty = build("maxgp:weight=2").penalty(LinearCritic(a), torch.randn(8, 2).double(), torch.randn(8, 2).double())
    assert penalty.item() == pytest.approx(2 * 25)


def test_it_is_the_largest_squared_gradient_norm_of_the_batch_sample_by_sample():
    critic = mlp_critic().double()
    real, fake = torch.randn(16, 2, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    squared = []
    for sample in real:  # one backward per sample: no batching to share with the implementation
        x = sample.clone().requires_grad_(True)
        (gradient,) = torch.autograd.grad(critic(x.unsqueeze(0)).sum(), x)
        squared.append(gradient.square().sum().item())
    penalty = build("maxgp:weight=3,at=real").penalty(critic, real, fake)
    assert penalty.item() == pytest.approx(3 * max(squared))


def test_the_penalty_trains_the_critic_through_a_double_backward():
    critic = mlp_critic().double()
    penalty = build("maxgp").penalty(critic, torch.randn(16, 2).double(), torch.randn(16, 2).double())
    weights = [critic[0].weight, critic[2].weight, critic[4].weight]  # the last bias has no input gradient
    assert all(g.abs().sum() > 0 for g in torch.autograd.grad(penalty, weights))


def test_the_recipe_and_traits_are_studiogans_lgan():
    maxgp = build("maxgp")
    recipe = maxgp.recipe
    assert (maxgp.weight, recipe.name, recipe.lr, recipe.betas) == (10.0, "adam", 2e-4, (0.0, 0.9))
    assert (recipe.loss, recipe.n_critic) == ("ns", 5)
    assert Trait.BATCH_COUPLED in maxgp.traits  # a maximum over the batch is not a mean of per-process shares


def test_bad_parameters_are_refused():
    with pytest.raises(GanlipError, match="maxgp: weight must be 0 or more"):
        build("maxgp:weight=-1")
    with pytest.raises(GanlipError, match=r"maxgp: pairs=any .* needs at=interp"):
        build("maxgp:at=real,pairs=any")
