"""Every strategy on a class-conditional (projection) critic: the class embedding is constrained as the critic's
other layers are, gradient penalties take the gradient with respect to the image at the sample's own class, and a
strategy that cannot carry a class is refused in one line."""

import pytest
import torch

from ganlip.conditioning import Conditioned
from ganlip.config import Config
from ganlip.constraints import available, build
from ganlip.critic_update import CriticUpdate
from ganlip.errors import GanlipError
from ganlip.gradients import input_gradients
from ganlip.models import build_model
from ganlip.models.mlp import MLPCritic
from ganlip.resolution import resolve

REFUSED = {"pgp", "som", "cayley", "soc", "sll", "cpl", "ctransform"}


def linear_projection_critic(dim: int = 3, classes: int = 4) -> MLPCritic:
    """`D(x, y) = (w + embed(y))·x + b`: no hidden layer, so φ(x) = x."""
    torch.manual_seed(0)
    return MLPCritic(dim, width=8, depth=0, classes=classes)


def test_the_gradient_is_taken_at_the_samples_own_class():
    critic = linear_projection_critic()
    x, labels = torch.randn(6, 3), torch.tensor([0, 1, 2, 3, 1, 0])
    w, embedding = critic.net[0].weight[0], critic.embedding.weight  # (dim, classes)
    expected = w + embedding[:, labels].T
    torch.testing.assert_close(input_gradients(Conditioned(critic, labels), x), expected)


@pytest.mark.parametrize(("spec", "one_sided"), [("gp:weight=3", False), ("lp:weight=3", True)])
def test_the_gradient_penalty_of_a_linear_projection_critic_is_its_closed_form(spec, one_sided):
    critic = linear_projection_critic()
    with torch.no_grad():
        critic.embedding.weight.mul_(4)  # some classes' slopes above 1, some below
    real, fake, labels = torch.randn(8, 3), torch.randn(8, 3), torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])
    norms = (critic.net[0].weight[0] + critic.embedding.weight[:, labels].T).norm(dim=1)
    excess = (norms - 1).clamp_min(0) if one_sided else norms - 1
    expected = 3 * excess.square().mean()
    penalty = build(spec).penalty(Conditioned(critic, labels), real, fake)
    torch.testing.assert_close(penalty, expected)


def partners(points: torch.Tensor, real: torch.Tensor, fake: torch.Tensor) -> list[list[int]]:
    """For each point `i`, the fake rows `j` it lies on the segment from real_i to (a 2-D cross product of 0)."""
    along = points[:, None, :] - fake[None, :, :]  # (i, j, 2)
    direction = real[:, None, :] - fake[None, :, :]
    cross = along[..., 0] * direction[..., 1] - along[..., 1] * direction[..., 0]
    return [torch.nonzero(row.abs() < 1e-3).flatten().tolist() for row in cross]


def test_gp_interpolates_within_a_class_by_default_and_across_classes_with_pairs_any():
    torch.manual_seed(0)
    real, fake = torch.randn(32, 2), torch.randn(32, 2) + 10
    same = partners(build("gp").points(real, fake), real, fake)
    assert same == [[i] for i in range(32)]  # real_i with fake_i, generated for real_i's class
    across = partners(build("gp:pairs=any").points(real, fake), real, fake)
    assert all(len(found) == 1 for found in across)
    permutation = [found[0] for found in across]
    assert sorted(permutation) == list(range(32)) and permutation != list(range(32))  # a shuffle of the fakes
    with pytest.raises(GanlipError, match="pairs must be one of same, any"):
        build("gp:pairs=some")


def test_sn_divides_the_class_embedding_by_its_largest_singular_value():
    critic = build("sn").attach(linear_projection_critic(dim=5, classes=7))
    critic.train()
    for _ in range(30):  # the persistent power iteration converges over steps
        critic(torch.randn(7, 5), torch.arange(7))
    critic.eval()
    sigma = torch.linalg.matrix_norm(critic.embedding.weight.detach().double(), ord=2)
    assert abs(sigma.item() - 1) < 1e-3
    # so no class's embedding is longer than 1
    assert critic.embedding.weight.norm(dim=0).max() <= 1 + 1e-3


@pytest.mark.parametrize("name", sorted(set(available()) - {"none"}))
def test_every_strategy_trains_a_conditional_critic_or_is_refused_in_one_line(tmp_path, name):
    config = Config(data="8gaussians", constraint=name, conditional=True, width=8, out=str(tmp_path / "run"))
    if name in REFUSED:
        with pytest.raises(GanlipError, match=f"{name}") as error:
            resolve(config)
        assert "\n" not in str(error.value) and "conditional" in str(error.value)
        return
    resolve(config)
    torch.manual_seed(0)
    generator, critic = build_model("mlp", (2,), width=8, num_classes=8)
    constraint = build(name)
    critic = constraint.attach(critic)
    update = CriticUpdate(constraint, critic, torch.optim.Adam(critic.parameters(), 1e-3))
    labels = torch.arange(16) % 8
    with torch.no_grad():
        fake = generator(torch.randn(16, 2), labels)
    before = [p.detach().clone() for p in critic.parameters()]
    stats = update(torch.randn(16, 2), fake, labels)
    assert all(torch.isfinite(value).all() for value in stats.values())
    assert any(not torch.equal(b, p) for b, p in zip(before, critic.parameters(), strict=True))


def test_ws_leaves_the_class_embedding_alone_and_ortho_takes_its_classes_as_the_units():
    from torch.nn.utils import parametrize

    critic = build("ws").attach(linear_projection_critic(dim=6, classes=3))
    assert parametrize.is_parametrized(critic.net[0]) and not parametrize.is_parametrized(critic.embedding)
    plain = linear_projection_critic(dim=6, classes=3)
    with torch.no_grad():  # three orthonormal class vectors in 6 dimensions: orthonormal units, penalty 0
        plain.embedding.weight.copy_(torch.linalg.qr(torch.randn(6, 3)).Q)
        plain.net[0].weight.copy_(torch.tensor([[0.6, 0.8, 0.0, 0.0, 0.0, 0.0]]))  # one unit of norm 1
    penalty = build("ortho:weight=1").penalty(plain, torch.randn(2, 6), torch.randn(2, 6))
    assert penalty.item() == pytest.approx(0.0, abs=1e-10)
