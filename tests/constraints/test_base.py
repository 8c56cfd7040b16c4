import copy

import pytest
import torch

from ganlip.constraints import Composite, available, build
from ganlip.constraints.base import scores_and_penalty
from ganlip.constraints.clip import WeightClipping
from ganlip.constraints.gp import GradientPenalty
from ganlip.constraints.sn import SpectralNormalization
from ganlip.errors import GanlipError
from tests.conftest import conv_critic, mlp_critic


def test_available_lists_the_five_core_strategies_and_the_baseline():
    assert {"clip", "gp", "lp", "sn", "fn", "none"} <= set(available())


def test_spec_parameters_are_parsed_to_their_types():
    constraint = build("sn:n_iter=3,eps=1e-8")
    assert constraint.n_iter == 3 and constraint.eps == 1e-8
    assert build("clip:c=0.05").c == 0.05


def test_plus_only_joins_strategies():
    assert [str(part) for part in build("gp:at=both,weight=1+sn").parts] == [
        "gp:weight=1.0,target=1.0,at=both,pairs=same,every=1",
        "sn:n_iter=1,eps=1e-12,mode=matrix,sigma_grad=True",
    ]


def test_plus_joined_spec_composes_in_order():
    constraint = build("sn+gp:weight=5")
    assert isinstance(constraint, Composite)
    assert [part.name for part in constraint.parts] == ["sn", "gp"]
    assert constraint.parts[1].weight == 5.0
    assert build(["sn", "clip"]).parts[1].name == "clip"


def test_composite_recipe_is_the_first_named():
    assert build("sn+gp").recipe.lr == 2e-4
    assert build("gp+sn").recipe.lr == 1e-4


def test_composite_runs_every_hook():
    critic = mlp_critic()
    constraint = build("sn+gp+clip:c=0.5")
    constraint.attach(critic)
    assert isinstance(critic[0].parametrizations.weight[0], SpectralNormalization)
    critic.eval()  # keep spectral norm's u fixed between the two evaluations
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    expected = GradientPenalty()
    torch.manual_seed(1)
    total = constraint.penalty(critic, real, fake)
    torch.manual_seed(1)
    assert torch.allclose(total, expected.penalty(critic, real, fake))
    with torch.no_grad():
        critic[0].parametrizations.weight.original.mul_(100)
    constraint.after_step(critic)
    assert critic[0].parametrizations.weight.original.abs().max() <= 0.5


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("snn", ["unknown constraint 'snn'", "Did you mean 'sn'", "clip, cpl, ctransform, dragan, fclip, fn"]),
        ("sn+fn", ["both normalize"]),
        ("gp+gp", ["named twice"]),
        ("gp:at=middle", ["at must be one of interp, real, fake, both"]),
        ("gp:at=real+fake", ["unknown constraint 'fake'"]),  # `+` only joins strategies: the points are `both`
        ("sn:mode=exact", ["mode must be matrix or operator"]),
        ("sn:n_iter=0", ["n_iter must be at least 1"]),
        ("clip:c=-1", ["c must be positive"]),
        ("sn:eps=0", ["sn: eps must be positive"]),
        ("sn:power=2", ["no parameter 'power'", "n_iter, eps"]),
        ("gp:weight=-1", ["gp: weight must be 0 or more", "WGAN-GP uses 10"]),
        ("lp:target=-1", ["lp: target must be 0 or more"]),
        ("fn:c=0", ["fn: c must be positive"]),
        ("fclip:c=0", ["fclip: c must be positive"]),
        ("fpen:weight=-1", ["fpen: weight must be 0 or more"]),
        ("fpen:c=0", ["fpen: c must be positive"]),
        ("l2:weight=-1", ["l2: weight must be 0 or more"]),
        ("ortho:weight=-1", ["ortho: weight must be 0 or more"]),
        ("ortho-offdiag:weight=-1", ["ortho-offdiag: weight must be 0 or more"]),
        ("pgp:weight=-1", ["pgp: weight must be 0 or more"]),
        ("pgp:at=middle", ["pgp: at must be one of interp"]),
        ("pgp:per_sample=maybe", ["'per_sample' must be"]),
        ("snreg:weight=-1", ["snreg: weight must be 0 or more"]),
        ("snreg:n_iter=0", ["snreg: n_iter must be at least 1"]),
        ("som:lambda2=-1", ["som: lambda1 and lambda2 must be 0 or more"]),
        ("som:gamma=0", ["som: gamma must be positive"]),
        ("weissi:lambda1=-1", ["weissi: lambda1 and lambda2 must be 0 or more"]),
        ("ws:eps=0", ["ws: eps must be positive"]),
        ("gp:weight=ten", ["'weight' must be float"]),
        ("gp:weight", ["must read key=value"]),
        ("+", ["names no strategy"]),
    ],
)
def test_bad_specs_raise_errors_that_say_what_is_valid(spec, words):
    with pytest.raises(GanlipError) as error:
        build(spec)
    for word in words:
        assert word in str(error.value)


def test_spec_round_trips_through_its_string():
    constraint = build("sn:n_iter=2+clip:c=0.1")
    again = build(str(constraint))
    assert [str(part) for part in again.parts] == [str(part) for part in constraint.parts]
    assert isinstance(again.parts[1], WeightClipping)


def test_a_lazy_penalty_is_computed_one_step_in_k_and_weighted_k_times():
    critic = mlp_critic().double()
    real, fake = torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    full = build("l2").penalty(critic, real, fake) + build("gp:at=real").penalty(critic, real, fake)
    lazy = build("sn+l2:every=4+gp:at=real,every=4")  # a penalty of the weights and one of input gradients
    values = [scores_and_penalty(lazy, critic, real, fake, step)[2] for step in range(8)]
    assert [v.item() for v in values] == pytest.approx([4 * full.item(), 0, 0, 0] * 2)
    every_step = build("gp:at=real")
    assert scores_and_penalty(every_step, critic, real, fake, 3)[2].item() == pytest.approx(
        full.item() - build("l2").penalty(critic, real, fake).item()
    )


def test_every_belongs_to_penalties_and_is_at_least_one():
    assert build("lp:every=16").every == 16 and build("ortho-offdiag:every=2").every == 2
    with pytest.raises(GanlipError, match="strategy 'sn' has no parameter 'every'"):
        build("sn:every=2")
    with pytest.raises(GanlipError, match="gp: every must be at least 1, got 0"):
        build("gp:every=0")


class ColumnHead(torch.nn.Module):
    """The same critic with a `(batch, 1)` output, as an `nn.Linear(n, 1)` head gives."""

    def __init__(self, critic: torch.nn.Module):
        super().__init__()
        self.critic = critic

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.critic(x).unsqueeze(1)


@pytest.mark.parametrize("name", [name for name in available() if name != "none"])
def test_every_strategy_trains_a_batch_by_1_head_as_it_trains_one_score_per_sample(name):
    """Scores, penalty, the weights' gradients and the projection agree between a `(B,)` critic and the same
    critic with a `(B, 1)` head."""
    flat = conv_critic().double()
    column = ColumnHead(copy.deepcopy(flat))
    real, fake = torch.randn(2, 8, 3, 8, 8, dtype=torch.float64)
    found = []
    for critic in (flat, column):
        torch.manual_seed(1)  # the same initial power-iteration vectors, penalty points and re-initialisations
        constraint = build(name)
        critic = constraint.attach(critic)
        real_scores, fake_scores, penalty = scores_and_penalty(constraint, critic, real, fake, 0)
        (fake_scores.mean() - real_scores.mean() + penalty).backward()
        constraint.after_step(critic)
        gradients = [p.grad.clone() for p in critic.parameters()]
        found.append((real_scores, fake_scores, penalty, gradients, [p.detach().clone() for p in critic.parameters()]))
    (*ours, grads, weights), (*theirs, other_grads, other_weights) = found
    for mine, reference in zip([*ours, *grads, *weights], [*theirs, *other_grads, *other_weights], strict=True):
        torch.testing.assert_close(mine, reference, rtol=1e-9, atol=1e-12)
    assert ours[0].shape == (8,)


def test_a_critic_with_more_than_one_score_per_sample_is_refused_in_one_line():
    critic = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 8 * 8, 2))
    real, fake = torch.randn(2, 4, 3, 8, 8)
    with pytest.raises(GanlipError, match=r"shape \(8, 2\) for a batch of 8; it must return one score per sample"):
        scores_and_penalty(build("gp"), critic, real, fake, 0)
    with pytest.raises(GanlipError, match=r"shape \(4, 2\) for a batch of 4"):
        build("gn").attach(critic)(real)
