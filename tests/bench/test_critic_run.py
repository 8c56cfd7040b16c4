import pytest
import torch
from torch import nn

from ganlip import train
from ganlip.bench import critic_run
from ganlip.bench.critic_run import CriticRun, benchmark_critic, measure, run_critic
from ganlip.bench.funnels import published_pair
from ganlip.models.activations import GroupSort


class Potential(nn.Module):
    """The critic `sign · f`: the optimal one for sign −1."""

    def __init__(self, pair, sign: float):
        super().__init__()
        self.pair, self.sign = pair, sign

    def forward(self, x):
        return self.sign * self.pair.potential(x)


@pytest.mark.parametrize(("dim", "width"), [(2, 128), (100, 200)])
def test_the_benchmark_critic_is_the_papers_mlp(dim, width):
    critic = benchmark_critic(dim, "relu")
    shapes = [tuple(layer.weight.shape) for layer in critic if isinstance(layer, nn.Linear)]
    assert shapes == [(width, dim), (width, width), (1, width)]
    assert any(isinstance(layer, GroupSort) for layer in benchmark_critic(dim, "groupsort"))


def test_the_optimal_critic_scores_cosine_one_no_gap_and_the_true_w1():
    pair = published_pair(16, 16)
    inputs, _ = pair.sample(4096, torch.Generator().manual_seed(0))
    targets = pair.sample_targets(4096, torch.Generator().manual_seed(1))
    best = measure(Potential(pair, -1.0), pair, inputs, targets)
    assert best.cosine == pytest.approx(1.0, abs=1e-5) and best.l2 == pytest.approx(0.0, abs=1e-5)
    assert best.w1_estimate == pytest.approx(1.7375, rel=0.03)  # E_Q[f] − E_P[f], on independent samples
    worst = measure(Potential(pair, 1.0), pair, inputs, targets)
    assert worst.cosine == pytest.approx(-1.0, abs=1e-5) and worst.l2 == pytest.approx(4.0, abs=1e-4)


def test_the_critic_is_updated_by_ganlip_trains_own_step():
    assert critic_run.update_critic is train.update_critic


def test_a_run_applies_the_strategys_projection_and_writes_the_papers_metrics(tmp_path):
    result = run_critic(CriticRun("clip:c=0.04", 2, 4, 0, 40, evaluate_every=20), tmp_path)
    assert {"true_w1", "w1_estimate", "cosine", "l2", "sec_per_iteration", "surface"} <= set(result)
    assert result["true_w1"] == pytest.approx(0.8174, rel=0.02)
    assert [point["iteration"] for point in result["curve"]] == [20, 40]
    state = torch.load(tmp_path / "checkpoints" / "last.pt", weights_only=True)["critic"]
    assert max(value.abs().max().item() for value in state.values()) <= 0.04 + 1e-7


class Stop(Exception):
    pass


def test_an_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, monkeypatch):
    settings = CriticRun("gp", 2, 4, 1, 60, evaluate_every=20)
    whole = run_critic(settings, tmp_path / "whole")
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 50:  # after the checkpoint at 40
            raise Stop
        return train.update_critic(*args, **kwargs)

    monkeypatch.setattr(critic_run, "update_critic", failing)
    with pytest.raises(Stop):
        run_critic(settings, tmp_path / "cut")
    monkeypatch.setattr(critic_run, "update_critic", train.update_critic)
    resumed = run_critic(settings, tmp_path / "cut")
    for key in ("w1_estimate", "cosine", "l2"):
        assert resumed[key] == whole[key]
    assert [p["cosine"] for p in resumed["curve"]] == [p["cosine"] for p in whole["curve"]]


def test_the_convergence_rule_stops_a_run_that_no_longer_improves(tmp_path):
    result = run_critic(CriticRun("none", 2, 4, 0, 200, evaluate_every=10, patience=2, tolerance=10.0), tmp_path)
    assert result["iterations"] == 30  # the first evaluation sets the best, two more without a rise of 10
