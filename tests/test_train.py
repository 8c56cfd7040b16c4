import json
import math

import pytest
import torch

from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config
from ganlip.constraints.base import with_recipe_params
from ganlip.data import data_spec
from ganlip.errors import GanlipError
from ganlip.models import available_models, family
from ganlip.resolution import resolve
from ganlip.setup import build_run
from ganlip.train import make_run_directory, save_state, train
from tests.conftest import tiny_config

CORE = ["clip", "gp", "lp", "sn", "fn"]


@pytest.mark.parametrize("data", ["8gaussians", "digits"])
@pytest.mark.parametrize("constraint", CORE)
def test_each_core_strategy_trains_and_writes_a_run_directory(tmp_path, data, constraint):
    run_dir = train(tiny_config(tmp_path, data, constraint=constraint), quiet=True)
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [2, 4]
    for line in lines:
        assert all(torch.isfinite(torch.tensor(value)) for value in line.values())
        assert {"loss/critic", "loss/generator", "wasserstein", "grad_norm/input_max"} <= set(line)
    measured = lines[-1]
    for key in ("tightness", "w1_exact", "wasserstein_eval", "swd", "lipschitz/upper", "lipschitz/lower"):
        assert key in measured
    assert any(key.startswith("spectral_norm/") for key in measured)
    assert any(key.startswith("operator_norm/") for key in measured)
    assert measured["lipschitz/lower"] <= measured["lipschitz/upper"] * (1 + 1e-4)
    assert (run_dir / "samples" / "step_000004.png").is_file()
    assert list((run_dir / "tb").glob("events.out.tfevents.*"))
    assert {p.name for p in (run_dir / "checkpoints").iterdir()} == {"last.pt", "step_000002.pt", "step_000004.pt"}
    saved = Config(**__import__("yaml").safe_load((run_dir / "config.yaml").read_text())).constraint
    assert saved == with_recipe_params(constraint, data_spec(data).kind)  # gp on toys: gan_toy's weight 0.1


def test_clipped_critic_stays_in_the_box_after_training(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", constraint="clip:c=0.02"), quiet=True)
    critic = load_checkpoint(run_dir)["critic"]
    assert max(t.abs().max().item() for t in critic.values()) <= 0.02


def test_resumed_run_ends_with_identical_weights(tmp_path):
    """2K steps straight, and K steps resumed to 2K, end with identical generator and critic weights."""
    common = dict(
        constraint="sn+gp:every=4",  # a resume lands on critic step 6, between two lazy penalties
        steps=6,
        checkpoint_every=3,
        log_every=3,
        sample_every=3,
        ema_decay=0.9,
        lr_decay="linear",
        decay_steps=6,  # the decay's horizon is fixed when a run starts: both runs plan for 6 steps
        g_batch_size=24,
        score_every=3,  # building the feature network on resuming must not move the training's random stream
        score_samples=32,
    )
    straight = train(tiny_config(tmp_path / "a", **common), quiet=True)
    half = train(tiny_config(tmp_path / "b", **{**common, "steps": 3}), quiet=True)
    resumed = train(Config(), resume=half, changes={"steps": 6}, quiet=True)
    a, b = load_checkpoint(straight), load_checkpoint(resumed)
    assert b["step"] == 6
    for part in ("generator", "critic", "generator_ema"):
        assert a[part].keys() == b[part].keys()
        assert all(torch.equal(a[part][k], b[part][k]) for k in a[part])
    logged = [json.loads(line)["step"] for line in (resumed / "metrics.jsonl").read_text().splitlines()]
    assert logged == [3, 6]


def test_divergence_stops_with_the_step_named(tmp_path):
    config = tiny_config(tmp_path, "8gaussians", constraint="none", lr=1e30, steps=20, checkpoint_every=20)
    with pytest.raises(GanlipError, match="diverged at step"):
        train(config, quiet=True)


@pytest.mark.parametrize(("arch", "loss"), [("resnet", "wasserstein"), ("sngan", "hinge"), ("dcgan", "hinge")])
def test_zoo_trains_with_the_paper_recipe_pieces(tmp_path, arch, loss):
    config = tiny_config(
        tmp_path,
        arch=arch,
        loss=loss,
        width=8,
        lr_decay="linear",
        ema_decay=0.5,
        ema_start=1,
        g_batch_size=32,
        constraint="sn",
        steps=3,
        measure_every=100,
        sample_every=100,
    )
    run_dir = train(config, quiet=True)
    checkpoint = load_checkpoint(run_dir)
    assert checkpoint["generator_ema"].keys() == checkpoint["generator"].keys()
    # linear decay reaches zero at the last step
    assert checkpoint["optimizer_g"]["param_groups"][0]["lr"] == pytest.approx(0.0, abs=1e-12)
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert all(torch.isfinite(torch.tensor(line["loss/critic"])) for line in lines)


def test_only_the_newest_step_checkpoints_are_kept(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", steps=6, checkpoint_every=1, keep_checkpoints=2), quiet=True)
    names = sorted(p.name for p in (run_dir / "checkpoints").iterdir())
    assert names == ["last.pt", "step_000005.pt", "step_000006.pt"]
    assert load_checkpoint(run_dir)["step"] == 6


def test_logged_critic_figures_average_every_critic_step(tmp_path, monkeypatch):
    """With 3 critic steps per generator step and a line every 2 steps, each line's loss/critic, penalty and
    wasserstein are the means of the 6 critic steps' values, not the last one's."""
    from ganlip import train as train_module

    recorded = []
    original = train_module.critic_step

    def recording(run, real):
        stats = original(run, real)
        recorded.append({key: value.item() for key, value in stats.items()})
        return stats

    monkeypatch.setattr(train_module, "critic_step", recording)
    config = tiny_config(tmp_path, "8gaussians", constraint="gp", n_critic=3, steps=4, log_every=2)
    lines = [json.loads(line) for line in (train(config, quiet=True) / "metrics.jsonl").read_text().splitlines()]
    for line, window in zip(lines, (recorded[:6], recorded[6:]), strict=True):
        for key in ("loss/critic", "penalty", "wasserstein"):
            assert line[key] == pytest.approx(sum(step[key] for step in window) / 6, rel=1e-5)


def test_a_non_finite_weight_is_never_checkpointed(tmp_path):
    """The guard before a checkpoint, reached directly: the loss check would trip first in a real divergence."""
    run = build_run(resolve(tiny_config(tmp_path, "8gaussians")))
    make_run_directory(run.run_dir, run.config)
    run.step = 1
    save_state(run)
    with torch.no_grad():
        next(run.critic.parameters())[0] = float("nan")
    run.step = 2
    with pytest.raises(GanlipError, match="at step 2: a weight of the critic is not finite; the last good checkpoint"):
        save_state(run)
    kept = load_checkpoint(run.run_dir)
    assert kept["step"] == 1 and not (run.run_dir / "checkpoints" / "step_000002.pt").exists()
    assert all(torch.isfinite(value).all() for value in kept["critic"].values())


def test_resuming_a_finished_run_changes_nothing(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", steps=2), quiet=True)

    def files() -> dict[str, bytes]:  # every file, TensorBoard's event files included
        return {  # the writer lock holds who last wrote, not data
            str(p.relative_to(run_dir)): p.read_bytes()
            for p in sorted(run_dir.rglob("*"))
            if p.is_file() and p.name != ".ganlip.lock"
        }

    before = files()
    assert train(Config(), resume=run_dir, quiet=True) == run_dir
    assert files() == before


@pytest.mark.parametrize("arch", available_models())
def test_every_registered_architecture_trains(tmp_path, arch):
    """Driven by the registry: an architecture registered tomorrow is smoke-tested by this test."""
    data = "8gaussians" if family(arch).data_kind == "points" else "digits"
    run_dir = train(tiny_config(tmp_path, data, arch=arch, width=8, steps=2, constraint="sn"), quiet=True)
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert lines[-1]["step"] == 2 and all(math.isfinite(line["loss/critic"]) for line in lines)


def test_a_critic_schedule_decides_the_critic_steps_and_survives_a_resume(tmp_path, monkeypatch):
    import ganlip.train as training
    from ganlip.resume import prepare
    from ganlip.setup import build_run

    calls = []
    real_step = training.critic_step
    monkeypatch.setattr(training, "critic_step", lambda run, real: calls.append(run.step) or real_step(run, real))
    config = tiny_config(tmp_path, constraint="clip", critic_schedule="wgan", steps=2, checkpoint_every=1)
    run_dir = training.train(config, quiet=True)
    assert [calls.count(step) for step in (1, 2)] == [100, 100]  # WGAN's first 25 generator steps
    config, saved = prepare(config, resume=run_dir)
    assert build_run(config, saved).critic_steps == 200
