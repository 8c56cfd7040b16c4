import pytest
import torch

from ganlip.constraints import build
from ganlip.errors import GanlipError
from tests.conftest import LinearCritic, mlp_critic


@pytest.mark.parametrize(("name", "at"), [("r1", "real"), ("r2", "fake")])
def test_r1_and_r2_are_the_zero_centred_penalties_by_name(name, at):
    critic = mlp_critic().double()
    real, fake = torch.randn(16, 2, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    named = build(f"{name}:gamma=6").penalty(critic, real, fake)
    x = (real if at == "real" else fake).clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x).sum(), x)
    assert named.item() == pytest.approx(3 * gradient.square().sum(1).mean().item())  # gamma/2 E‖∇D(x)‖²
    assert named.item() == pytest.approx(build(f"gp:at={at},target=0,weight=3").penalty(critic, real, fake).item())


@pytest.mark.parametrize("name", ["r1", "r2"])
def test_on_a_linear_critic_the_penalty_is_half_gamma_times_the_squared_slope(name):
    a = torch.tensor([3.0, 4.0], dtype=torch.float64)  # ‖a‖² = 25
    penalty = build(f"{name}:gamma=4").penalty(LinearCritic(a), torch.randn(8, 2).double(), torch.randn(8, 2).double())
    assert penalty.item() == pytest.approx(2 * 25)


def test_the_default_penalty_is_the_one_gan_stabilitys_code_computes():
    """train.py line 53: `reg_param * compute_grad2(d_real, x_real).mean()` with reg_param 10 (default.yaml
    line 22) and compute_grad2 the per-sample squared gradient norm: 10 ‖a‖² on a linear critic."""
    a = torch.tensor([3.0, 4.0], dtype=torch.float64)
    real = torch.randn(8, 2, dtype=torch.float64)
    x = real.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(LinearCritic(a)(x).sum(), x, create_graph=True)
    reg_param = 10.0
    cited = reg_param * gradient.pow(2).reshape(8, -1).sum(1).mean()
    assert build("r1").penalty(LinearCritic(a), real, real).item() == pytest.approx(cited.item()) == 250


def test_the_recipe_is_gan_stabilitys():
    """GAN_stability configs/default.yaml: the non-saturating loss (line 20), RMSprop lr 1e-4 for both networks
    (35-37), one critic step per generator step (line 40)."""
    r1 = build("r1")
    recipe = r1.recipe
    assert (recipe.name, recipe.lr, recipe.loss, recipe.n_critic) == ("rmsprop", 1e-4, "ns", 1)
    assert build("r1+r2").parts[1].at == "fake"


def test_a_negative_gamma_is_refused():
    with pytest.raises(GanlipError, match="r1: gamma must be 0 or more"):
        build("r1:gamma=-1")


def test_ganlip_strategies_states_the_recipes_loss_and_critic_steps():
    from ganlip.constraints.base import describe

    rows = {row["name"]: row["recipe"] for row in describe()}
    assert "rmsprop 0.0001, loss=ns, n_critic=1" in rows["r1"] and "loss=ns" in rows["r2"]
    assert "critic_schedule=wgan" in rows["clip"].split(";")[0]  # on images, not on the toys
    assert "critic_schedule" not in rows["clip"].split(";")[1]
