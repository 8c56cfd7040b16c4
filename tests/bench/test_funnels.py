import json
from importlib import resources

import pytest
import torch

from ganlip.bench.funnels import (
    HALF_WIDTH,
    published_pair,
    published_sizes,
    published_true_w1,
    seeded_pair,
)
from ganlip.errors import GanlipError


@pytest.fixture
def pair():
    return seeded_pair(8, 16, seed=3)


def test_the_potential_is_1_lipschitz_with_unit_gradient_norm(pair):
    x, y = pair.sample_targets(4096), pair.sample_targets(4096)
    assert ((pair.potential(x) - pair.potential(y)).abs() <= (x - y).norm(dim=1) + 1e-5).all()
    x.requires_grad_(True)
    (autograd,) = torch.autograd.grad(pair.potential(x).sum(), x)
    assert torch.allclose(autograd.norm(dim=1), torch.ones(4096), atol=1e-5)
    assert torch.allclose(pair.gradient(x.detach()), autograd, atol=1e-5)  # the closed form is the derivative


def test_each_moved_sample_stays_on_its_funnels_ray_and_the_plan_costs_the_potentials_gap(pair):
    inputs, targets = pair.sample(4096, torch.Generator().manual_seed(1))
    centre = pair.centres[pair.active(targets)]
    towards_target, towards_input = targets - centre, inputs - centre
    scale = (towards_input * towards_target).sum(1) / towards_target.square().sum(1)
    assert ((scale >= -1e-6) & (scale <= 1 + 1e-6)).all()  # between the centre and the target
    assert torch.allclose(towards_input, scale[:, None] * towards_target, atol=1e-4)  # on the same ray
    assert (pair.active(inputs) == pair.active(targets)).float().mean() > 0.999  # inside the same piece
    cost = (targets - inputs).norm(dim=1)
    assert torch.allclose(cost, pair.potential(targets) - pair.potential(inputs), atol=1e-4)
    assert (scale < 1 - 1e-3).float().mean() > 0.9  # t^8 moves nearly every sample a real distance


@pytest.mark.parametrize(
    "pair",
    [seeded_pair(8, 16, seed=3), published_pair(2, 16), published_pair(2, 256)],
    ids=["seeded 8/16", "published 2/16", "published 2/256"],
)
def test_each_ray_ends_on_the_cube_or_where_another_funnel_takes_over(pair):
    """In 2-D, with many funnels, rounding and the squared equation's spurious roots would cut rays short."""
    targets = pair.sample_targets(2**14, torch.Generator().manual_seed(2))
    index = pair.active(targets)
    away = targets - pair.centres[index]
    direction = away / away.norm(dim=1, keepdim=True)
    end = targets + pair.ray_left(targets, direction, index)[:, None] * direction
    on_wall = (end.abs().max(dim=1).values - HALF_WIDTH).abs() < 1e-4
    values = torch.cdist(end, pair.centres) + pair.biases
    own = values.gather(1, index[:, None]).squeeze(1)
    tie = (own - values.min(dim=1).values).abs() < 1e-4  # the active funnel is still minimal at the end...
    crossing = values.topk(2, largest=False).values.diff(dim=1).squeeze(1).abs() < 1e-4  # ...with another at par
    assert (on_wall | (tie & crossing)).all()
    inside = end + 1e-2 * direction
    beyond = ~on_wall & (inside.abs().max(dim=1).values < HALF_WIDTH)
    assert (pair.active(inside[beyond]) != index[beyond]).all()  # past the end another funnel is the minimum


@pytest.mark.parametrize(("dim", "funnels", "published"), [(2, 4, 0.8174), (16, 16, 1.7375), (128, 64, 1.0448)])
def test_the_plans_cost_is_the_papers_published_true_w1(dim, funnels, published):
    pair = published_pair(dim, funnels)
    assert published_true_w1()[(dim, funnels)] == pytest.approx(published, abs=1e-4)
    assert pair.true_w1(2**16, torch.Generator().manual_seed(0)) == pytest.approx(published, rel=0.02)


def test_the_published_pairs_ship_with_their_source():
    assert len(published_sizes()) == 28
    assert {d for d, _ in published_sizes()} == {2, 4, 8, 16, 32, 64, 128}
    pair = published_pair(16, 4)
    assert pair.centres.shape == (4, 16) and pair.biases.shape == (4,)
    assert pair.centres.abs().max() <= HALF_WIDTH
    sidecar = json.loads((resources.files("ganlip.bench.published") / "w1_funnels_nd.json").read_text())
    assert sidecar["source"].endswith("justkolesov/Wasserstein1Benchmark") and len(sidecar["commit"]) == 40
    assert sidecar["licence"].startswith("MIT") and len(sidecar["files"]) == 28


def test_seeded_pairs_of_any_size_are_reproducible():
    first, again = seeded_pair(3, 5, seed=11), seeded_pair(3, 5, seed=11)
    assert torch.equal(first.centres, again.centres) and torch.equal(first.biases, again.biases)
    assert first.centres.shape == (5, 3) and first.centres.abs().max() <= HALF_WIDTH
    assert not torch.equal(first.centres, seeded_pair(3, 5, seed=12).centres)
    assert first.true_w1(4096) > 0


def test_sizes_the_paper_did_not_publish_are_refused_with_the_way_out():
    with pytest.raises(GanlipError, match=r"publishes no pair of dimension 3 with 4 funnels.*--pair-seed"):
        published_pair(3, 4)
    with pytest.raises(GanlipError, match="at least 1"):
        seeded_pair(2, 0, seed=0)


@pytest.mark.parametrize(
    ("strategy", "dim", "funnels", "cosine", "cost"),
    [  # metrics/metrics_nd/dim_D/width_N/metrics_deg_8_seed_2.csv at 359d2b1
        ("ctransform", 2, 4, 0.8589, 0.7941),  # the paper's wgan-qp, its c-transform solver
        ("ctransform", 16, 16, 0.0910, 0.0019),
        ("bjorck:n_iter=5", 16, 16, 0.8504, 1.4609),  # sort-out, whatever the parameters
    ],
)
def test_the_papers_figures_stand_beside_the_strategy_that_runs_its_method(strategy, dim, funnels, cosine, cost):
    from ganlip.bench.results import paper_figures

    figures = paper_figures(strategy, dim, funnels)
    assert figures["cos"] == pytest.approx(cosine, abs=1e-4) and figures["cost"] == pytest.approx(cost, abs=1e-4)
