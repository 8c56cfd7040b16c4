import pytest
import torch

from ganlip.constraints import build
from ganlip.constraints.base import with_recipe_params
from tests.conftest import LinearCritic, mlp_critic


@pytest.mark.parametrize("norm", [0.3, 1.0, 2.5])
def test_linear_critic_penalty_is_the_closed_form(norm):
    a = torch.randn(12, dtype=torch.float64)
    a = a * norm / a.norm()
    critic = LinearCritic(a)
    real, fake = torch.randn(32, 3, 2, 2, dtype=torch.float64), torch.randn(32, 3, 2, 2, dtype=torch.float64)
    penalty = build("gp:weight=10").penalty(critic, real, fake)
    assert penalty.item() == pytest.approx(10 * (norm - 1) ** 2, abs=1e-10)


def test_penalty_is_differentiable_and_its_gradient_is_the_closed_form():
    a = torch.tensor([3.0, 4.0], dtype=torch.float64)  # ‖a‖ = 5
    critic = LinearCritic(a)
    penalty = build("gp:weight=2").penalty(
        critic, torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    )
    penalty.backward()
    # d/da [2 (‖a‖ - 1)²] = 4 (‖a‖ - 1) a / ‖a‖
    assert torch.allclose(critic.a.grad, 4 * (5 - 1) * a / 5)


def test_penalty_samples_between_real_and_fake():
    """With real == fake every interpolate is that point: the penalty is (‖∇D(x)‖-1)² at the data."""
    critic = mlp_critic().double()
    x = torch.randn(16, 2, dtype=torch.float64, requires_grad=True)
    (gradient,) = torch.autograd.grad(critic(x).sum(), x)
    expected = 10 * (gradient.norm(dim=1) - 1).square().mean()
    assert torch.allclose(build("gp").penalty(critic, x.detach(), x.detach()), expected)


def test_default_is_the_wgan_gp_recipe():
    """WGAN-GP's code: gan_cifar.py LAMBDA = 10 (line 28), Adam 1e-4 betas (0.5, 0.9) (lines 137-138);
    gan_toy.py LAMBDA = .1 (line 23), Adam 1e-4 betas (0.5, 0.9) (lines 90-92)."""
    gp = build("gp")
    assert gp.weight == 10
    assert (gp.recipe.name, gp.recipe.lr, gp.recipe.betas, gp.recipe.params) == ("adam", 1e-4, (0.5, 0.9), ())
    toy = gp.recipe_for("points")
    assert (toy.name, toy.lr, toy.betas, toy.params) == ("adam", 1e-4, (0.5, 0.9), (("weight", 0.1),))
    assert build("sn+gp").recipe_for("points").lr == 2e-4  # the first named strategy's optimizer
    assert str(with_recipe_params("sn+gp:target=0", "points")) == "sn+gp:target=0,weight=0.1"
    assert with_recipe_params("gp:weight=5", "points") == "gp:weight=5"
    assert with_recipe_params("gp", "images") == "gp"


def test_r1_is_gp_at_real_with_target_zero():
    """R1 (Mescheder et al. 2018): gamma/2 E‖∇D(real)‖²; here weight = gamma/2."""
    critic = mlp_critic().double()
    real, fake = torch.randn(16, 2, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    x = real.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x).sum(), x)
    expected = 5 * gradient.square().sum(dim=1).mean()
    assert torch.allclose(build("gp:at=real,target=0,weight=5").penalty(critic, real, fake), expected)


@pytest.mark.parametrize(("at", "count"), [("real", 16), ("fake", 16), ("both", 32)])
def test_points_chosen_by_at(at, count):
    real, fake = torch.zeros(16, 2), torch.ones(16, 2)
    points = build(f"gp:at={at}").points(real, fake)
    assert len(points) == count
    assert points.sum().item() == {"real": 0, "fake": 32, "both": 32}[at]


def test_target_moves_the_closed_form():
    a = torch.tensor([3.0, 4.0], dtype=torch.float64)
    penalty = build("gp:target=2,weight=1").penalty(
        LinearCritic(a), torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    )
    assert penalty.item() == pytest.approx((5 - 2) ** 2)


class HalfSquaredNorm(torch.nn.Module):
    """`D(x) = ‖x‖² / 2`, whose gradient is `x` itself: the penalty's value is a function of the points alone.
    It keeps the points it is evaluated at."""

    def __init__(self):
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().clone())
        return 0.5 * x.flatten(1).square().sum(1)


@pytest.mark.parametrize("spec", ["gp", "lp"])
def test_interpolates_take_one_fresh_eps_per_sample_and_the_gradient_there(spec):
    critic = HalfSquaredNorm()
    real, fake = torch.randn(64, 3, 2, 2, dtype=torch.float64), torch.randn(64, 3, 2, 2, dtype=torch.float64) + 2
    strategy = build(spec)
    penalties = [strategy.penalty(critic, real, fake) for _ in range(2)]
    draws = []
    for points, penalty in zip(critic.seen, penalties, strict=True):
        ratios = ((points - fake) / (real - fake)).flatten(1)  # eps_i in every coordinate of sample i
        eps = ratios[:, 0]
        assert torch.allclose(ratios, eps[:, None].expand_as(ratios))
        assert eps.min() >= 0 and eps.max() <= 1 and eps.std() > 0.2  # U[0, 1] has std 0.29
        excess = points.flatten(1).norm(dim=1) - 1
        excess = excess.clamp_min(0) if spec == "lp" else excess
        assert torch.allclose(penalty, 10 * excess.square().mean())
        draws.append(eps)
    assert not torch.allclose(draws[0], draws[1])  # drawn anew at every step
