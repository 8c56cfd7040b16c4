import pytest
import torch

from ganlip.constraints import Trait, build
from ganlip.errors import GanlipError
from tests.conftest import LinearCritic, mlp_critic


def test_its_points_lie_around_the_real_data_never_between_real_and_fake():
    real = torch.randn(256, 2, dtype=torch.float64)
    points = build("dragan").points(real)
    offset = points - real
    assert (offset >= 0).all() and (offset <= 0.5 * real.std() + 1e-12).all()  # inside the box x + c std(x) [0, 1]
    assert offset.max() > 0.45 * real.std() and offset.min() < 0.05 * real.std()  # the whole range is drawn
    assert (offset[:, 0] != offset[:, 1]).all()  # a draw per coordinate, not per sample
    fake = real + 100  # fakes far away: an interpolate would land between; DRAGAN's points stay at the data
    critic = mlp_critic().double()
    torch.manual_seed(1)
    near = build("dragan").penalty(critic, real, real)
    torch.manual_seed(1)
    assert build("dragan").penalty(critic, real, fake).item() == near.item()


def test_its_points_are_the_notebooks_a_random_point_between_x_and_its_perturbation():
    """DRAGAN.ipynb: x_p = x + 0.5 std(x) U[0, 1] per coordinate, then x + α (x_p - x) with α ~ U[0, 1] per
    sample. Per coordinate the offset over c·std is then α·u: mean 1/4, and a sample lies wholly in the box's
    inner quarter exactly when α < 1/4 (the u are at most 1 and, over 64 coordinates, one is near 1)."""
    real = torch.randn(4000, 64, dtype=torch.float64)
    scaled = (build("dragan").points(real) - real) / (0.5 * real.std())
    assert scaled.mean().item() == pytest.approx(0.25, abs=0.01)
    inner = (scaled <= 0.25).all(dim=1).double().mean().item()
    assert inner == pytest.approx(0.25, abs=0.03)
    corner = (build("dragan:interpolate=false").points(real) - real) / (0.5 * real.std())  # x + δ itself
    assert corner.mean().item() == pytest.approx(0.5, abs=0.01) and not (corner <= 0.25).all(dim=1).any()


def test_the_penalty_is_the_closed_form_at_its_points():
    critic = mlp_critic().double()
    real = torch.randn(32, 2, dtype=torch.float64)
    torch.manual_seed(1)
    penalty = build("dragan:weight=2,target=0.5,c=0.3").penalty(critic, real, real)
    torch.manual_seed(1)
    perturbed = real + 0.3 * real.std() * torch.rand_like(real)
    points = (real + torch.rand(32, 1, dtype=torch.float64) * (perturbed - real)).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(points).sum(), points)
    assert penalty.item() == pytest.approx(2 * (gradient.norm(dim=1) - 0.5).square().mean().item())


def test_on_a_linear_critic_the_penalty_is_the_slopes_distance_to_one():
    a = torch.tensor([0.0, 1.2, 1.6], dtype=torch.float64)  # ‖a‖ = 2
    real = torch.randn(8, 3, dtype=torch.float64)
    assert build("dragan").penalty(LinearCritic(a), real, real).item() == pytest.approx(10 * (2 - 1) ** 2)


def test_it_is_refused_under_ddp_as_a_batch_statistic_and_bad_parameters_are_refused():
    assert {Trait.BATCH_COUPLED, Trait.DOUBLE_BACKWARD} <= build("dragan").traits
    with pytest.raises(GanlipError, match="dragan: c must be positive"):
        build("dragan:c=0")
    with pytest.raises(GanlipError, match="dragan: weight must be 0 or more"):
        build("dragan:weight=-1")
