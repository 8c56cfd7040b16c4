"""The reporting channel: what strategies report of themselves reaches the critic update's stats, each number
checked against its closed form or an independent computation."""

import copy
import json

import pytest
import torch

from ganlip import reporting
from ganlip.compare.report import PartReport, reported_lines
from ganlip.compare.results import RunHistory, strategy_rows
from ganlip.compare.suite import PlannedRun
from ganlip.config import Config
from ganlip.constraints import build
from ganlip.critic_update import CriticUpdate
from ganlip.train import train
from tests.conftest import LinearCritic, mlp_critic, tiny_config


def test_reports_are_kept_only_inside_a_collection_and_averaged_by_name():
    reporting.report("x/y", 5.0)  # nobody collects: dropped
    with reporting.collect() as outer:
        reporting.report("x/y", torch.tensor([1.0, 3.0]))
        reporting.report("x/y", 4.0)
    assert outer == {"strategy/x/y": pytest.approx(3.0)}  # (2 + 4) / 2: a tensor counts as its mean


def test_a_composite_reports_each_penalty_unweighted_on_the_steps_it_is_due():
    """D(x) = a·x with ‖a‖ = 2: gp at real points is 10 (‖a‖ − 1)² = 10, lp:weight=3 one-sided 3 (‖a‖ − 1)² = 3."""
    critic = LinearCritic(torch.tensor([2.0, 0.0]))
    update = CriticUpdate(
        build("gp:at=real+lp:at=real,weight=3,every=2"), critic, torch.optim.SGD(critic.parameters(), 0)
    )
    real, fake = torch.randn(8, 2), torch.randn(8, 2)
    first, second = update(real, fake), update(real, fake)
    assert first["strategy/gp/penalty"].item() == pytest.approx(10.0)
    assert first["strategy/lp/penalty"].item() == pytest.approx(3.0)
    assert first["penalty"].item() == pytest.approx(10.0 + 2 * 3.0)  # trained: lp weighted by its every
    assert "strategy/lp/penalty" not in second and second["strategy/gp/penalty"].item() == pytest.approx(10.0)


def test_bjorck_reports_the_mean_orthonormality_residual_of_the_weights_it_trained_with():
    critic = build("bjorck:n_iter=3").attach(mlp_critic(2, 16))
    expected = []
    for layer in (critic[0], critic[2], critic[4]):
        w = layer.weight.detach().double()
        a = w if w.shape[0] >= w.shape[1] else w.T
        expected.append((a.T @ a - torch.eye(a.shape[1], dtype=a.dtype)).abs().max().item())
    update = CriticUpdate(build("bjorck:n_iter=3"), critic, torch.optim.SGD(critic.parameters(), 0.1))
    stats = update(torch.randn(8, 2), torch.randn(8, 2))
    assert max(expected) > 1e-3  # three iterations leave a residual worth reporting
    assert stats["strategy/bjorck/orthonormality_residual"].item() == pytest.approx(sum(expected) / 3, rel=1e-4)


def test_gn_reports_the_mean_input_gradient_norm_of_the_critic_it_wraps():
    torch.manual_seed(0)
    inner = mlp_critic(2, 16)
    real, fake = torch.randn(8, 2), torch.randn(8, 2)
    x = torch.cat([real, fake]).requires_grad_(True)
    (gradient,) = torch.autograd.grad(copy.deepcopy(inner)(x).sum(), x)
    critic = build("gn").attach(inner)
    stats = CriticUpdate(build("gn"), critic, torch.optim.SGD(critic.parameters(), 0.1))(real, fake)
    assert stats["strategy/gn/gradient_norm"].item() == pytest.approx(gradient.norm(dim=1).mean().item(), rel=1e-5)


def test_ganlip_train_logs_what_the_strategy_reported(tmp_path):
    out = train(tiny_config(tmp_path, "8gaussians", constraint="sn+gp+ortho", steps=2), quiet=True)
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert {"strategy/gp/penalty", "strategy/ortho/penalty"} <= set(lines[-1])
    assert lines[-1]["penalty"] == pytest.approx(lines[-1]["strategy/gp/penalty"] + lines[-1]["strategy/ortho/penalty"])


def test_the_report_lists_each_strategys_own_numbers_over_seeds():
    def history(constraint, seed, lines):
        return RunHistory(PlannedRun("p", constraint, seed, Config(out="unused")), lines)

    key = "strategy/bjorck/orthonormality_residual"
    histories = [
        history("bjorck", 0, [{"step": 2, key: 0.5}, {"step": 4, key: 0.1}]),
        history("bjorck", 1, [{"step": 2, key: 0.6}, {"step": 4, key: 0.3}]),
        history("sn", 0, [{"step": 4, "swd": 1.0}]),
    ]
    report = PartReport(None, "", ("swd",), strategy_rows(histories, ("swd",)), [])
    (line,) = reported_lines(report)  # sn reported nothing of its own
    assert line.startswith("bjorck: bjorck/orthonormality_residual 0.2 [")  # the final values' mean


def test_a_strategy_reports_from_inside_another_ones_torch_func_transform():
    """pgp's per-sample gradients run bjorck's parametrization under torch.func's grad and vmap."""
    critic = build("bjorck").attach(mlp_critic(2, 8))
    update = CriticUpdate(build("bjorck+pgp"), critic, torch.optim.SGD(critic.parameters(), 0.1))
    stats = update(torch.randn(4, 2), torch.randn(4, 2))
    assert torch.isfinite(
        torch.stack([stats["strategy/bjorck/orthonormality_residual"], stats["strategy/pgp/penalty"]])
    ).all()
