"""Resolving a config: the papers' defaults, each strategy's recipe, the precision, names checked."""

import pytest

from ganlip import resolution
from ganlip.config import Config, load
from ganlip.errors import GanlipError
from ganlip.resolution import resolve
from ganlip.setup import build_run
from ganlip.train import train
from tests.conftest import tiny_config


def test_resolved_defaults_follow_the_papers():
    clip, gp, sn = (resolve(Config(constraint=name)) for name in ("clip", "gp", "sn"))
    assert (clip.optimizer, clip.lr) == ("rmsprop", 5e-5)
    assert (gp.optimizer, gp.lr, gp.betas) == ("adam", 1e-4, [0.5, 0.9])  # gan_cifar.py lines 137-138
    assert (sn.optimizer, sn.lr, sn.betas) == ("adam", 2e-4, [0.0, 0.9])
    assert sn.n_critic == 5 and sn.arch == "dcgan" and sn.resolution == 32
    assert resolve(Config(data="8gaussians")).arch == "mlp"
    assert resolve(Config(lr=1e-3)).lr == 1e-3


def test_a_recipe_sets_the_loss_and_critic_steps_of_its_source_and_the_users_setting_wins():
    r1 = resolve(Config(constraint="r1"))
    assert (r1.loss, r1.n_critic, r1.optimizer, r1.lr) == ("ns", 1, "rmsprop", 1e-4)  # GAN_stability default.yaml
    own = resolve(Config(constraint="r1", loss="wasserstein", n_critic=5, optimizer="adam"))
    assert (own.loss, own.n_critic, own.optimizer) == ("wasserstein", 5, "adam")
    assert (resolve(Config(constraint="sn")).loss, resolve(Config(constraint="sn")).critic_schedule) == (
        "wasserstein",
        "constant",
    )
    clip = resolve(Config(constraint="clip"))
    assert clip.critic_schedule == "wgan" and resolve(Config(constraint="clip", data="8gaussians")).critic_schedule == (
        "constant"  # WGAN-GP's clipping baseline on the toys
    )


@pytest.mark.parametrize(("native", "expected"), [(True, "bf16"), (False, "off")])
def test_amp_auto_is_bf16_where_the_hardware_runs_it_natively(tmp_path, monkeypatch, native, expected):
    monkeypatch.setattr(resolution, "native_bf16", lambda device: (native, "probed"))
    config = resolve(tiny_config(tmp_path, "8gaussians", amp="auto"))
    assert config.amp == expected
    for forced in ("off", "bf16"):
        assert resolve(tiny_config(tmp_path, "8gaussians", amp=forced)).amp == forced
    run_dir = train(config.replace(steps=1), quiet=True)
    assert load(run_dir / "config.yaml").amp == expected  # what the run trained with is on record
    assert build_run(config).notes[0].startswith("Precision: bf16" if native else "Precision: float32")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": "fashion-cn"}, "features: unknown feature network 'fashion-cn'; valid: auto, none, digits-cnn"),
        (
            {"score_metrics": ["fd", "fid"]},
            "score_metrics: unknown metric 'fid'; valid: fd, kid, pr, dc, accuracy, intra_fd, is",
        ),
    ],
)
def test_unknown_feature_networks_and_metrics_are_refused_when_the_config_is_made(tmp_path, changes, message):
    with pytest.raises(GanlipError, match=message):
        resolve(tiny_config(tmp_path, **changes))
