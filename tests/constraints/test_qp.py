import pytest
import torch

from ganlip.constraints import build
from ganlip.errors import GanlipError
from ganlip.losses import WassersteinLoss
from tests.conftest import LinearCritic


def pairs(n: int = 8, shape=(3, 4, 4)):
    torch.manual_seed(0)
    return torch.randn(n, *shape, dtype=torch.float64), torch.randn(n, *shape, dtype=torch.float64)


@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_the_penalty_is_the_squared_score_gap_over_twice_scale_times_the_distance(norm):
    real, fake = pairs()
    a = torch.randn(48, dtype=torch.float64)
    expected = 0.0
    for r, f in zip(real, fake, strict=True):  # GAN-QP's loss, pair by pair (gan_qp_l2.py lines 184-187)
        gap = float(a @ (r - f).flatten())
        difference = (r - f).flatten()
        distance = difference.abs().mean() if norm == "l1" else difference.square().mean().sqrt()
        expected += gap**2 / (2 * 5.0 * float(distance)) / len(real)
    penalty = build(f"qp:scale=5,norm={norm}").penalty(LinearCritic(a), real, fake)
    assert penalty.item() == pytest.approx(expected)


def test_with_the_wasserstein_loss_the_best_critic_gap_is_scale_times_the_distance():
    """For one pair, `-Δ + Δ²/(2λd)` is least at `Δ = λd` (GAN-QP section 3): train a critic `c·aᵀx` on it."""
    real, fake = pairs(n=1)
    a = torch.randn(48, dtype=torch.float64)
    critic = LinearCritic(a)
    qp, loss = build("qp:scale=10"), WassersteinLoss()
    optimizer = torch.optim.LBFGS(critic.parameters(), max_iter=200, line_search_fn="strong_wolfe")

    def objective():
        optimizer.zero_grad()
        value = loss.critic(critic(real), critic(fake)) + qp.penalty(critic, real, fake)
        value.backward()
        return value

    optimizer.step(objective)
    gap = (critic(real) - critic(fake)).item()
    assert gap == pytest.approx(10 * (real - fake).square().mean().sqrt().item(), rel=1e-6)


def test_the_recipe_is_gan_qps():
    qp = build("qp")
    recipe = qp.recipe
    assert (qp.scale, qp.norm, recipe.lr, recipe.betas, recipe.n_critic) == (10.0, "l2", 2e-4, (0.5, 0.999), 2)


def test_bad_parameters_are_refused():
    with pytest.raises(GanlipError, match="qp: scale must be positive"):
        build("qp:scale=0")
    with pytest.raises(GanlipError, match="qp: norm must be one of l1, l2"):
        build("qp:norm=linf")
