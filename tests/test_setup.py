import pytest
import torch
import yaml

from ganlip import notes, resolution, resume
from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config, from_dict, load
from ganlip.constraints import build
from ganlip.data import load_data
from ganlip.errors import GanlipError
from ganlip.resolution import resolve
from ganlip.setup import build_run, measurement_set
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


def test_the_run_says_what_its_recipe_set_in_config_yaml_and_as_it_starts(tmp_path):
    run_dir = train(tiny_config(tmp_path, constraint="r1", n_critic=None, steps=2), quiet=True)
    text = (run_dir / "config.yaml").read_text()
    assert "loss: ns  # the recipe of r1 (GAN_stability" in text and "n_critic: 1  # the recipe of r1" in text
    assert load(run_dir / "config.yaml").loss == "ns"
    note = notes.recipe_note(load(run_dir / "config.yaml"))
    assert note and "loss=ns, n_critic=1" in note[0]
    explicit = train(tiny_config(tmp_path / "own", constraint="r1", n_critic=2, loss="wasserstein"), quiet=True)
    assert "n_critic: 2\n" in (explicit / "config.yaml").read_text()


def test_an_existing_run_is_not_overwritten(tmp_path):
    config = tiny_config(tmp_path, "8gaussians", steps=2)
    train(config, quiet=True)
    with pytest.raises(GanlipError, match="--resume"):
        train(config, quiet=True)


def test_resume_refuses_changes_that_break_the_run(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", steps=2), quiet=True)
    with pytest.raises(GanlipError, match="cannot change width"):
        train(Config(), resume=run_dir, changes={"width": 32}, quiet=True)


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", steps=2), quiet=True)
    wider = resolve(tiny_config(tmp_path, "8gaussians", width=32))
    with pytest.raises(GanlipError, match=r"does not fit the configured model .*resume with the run's own config"):
        build_run(wider, load_checkpoint(run_dir))


def test_the_measurement_set_is_fixed_by_the_seed_alone(tmp_path):
    config = resolve(tiny_config(tmp_path, "8gaussians"))
    dataset = load_data(config.data, seed=config.seed)
    reference, noise = measurement_set(config, dataset, 2)
    torch.rand(7)  # the global stream moves: the set does not
    again = measurement_set(config, dataset, 2)
    assert torch.equal(reference, again[0]) and torch.equal(noise, again[1])
    assert reference.shape == (config.measure_samples, 2) and noise.shape == (config.measure_samples, 2)
    other = measurement_set(config.replace(seed=1), dataset, 2)
    assert not torch.equal(reference, other[0]) and not torch.equal(noise, other[1])


def test_scores_are_prepared_with_the_run_or_said_to_be_off(tmp_path):
    points = build_run(resolve(tiny_config(tmp_path, "8gaussians", score_every=2)))
    assert points.scoring is None and "these data are 2-D points" in points.notes[-1]
    images = build_run(resolve(tiny_config(tmp_path, features="digits-cnn", score_every=2, score_samples=32)))
    assert images.scoring.features == "digits-cnn" and images.scoring.reference.mu.shape == (128,)
    assert "on digits-cnn features every 2 steps" in images.notes[-1]


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


def test_amp_off_reads_as_off_from_yaml_and_from_runs_written_before_amp_auto():
    assert from_dict({"amp": "none"}).amp == "off"
    assert from_dict(yaml.safe_load("amp: off")).amp == "off"  # YAML 1.1 reads a bare off as false


def test_a_run_written_before_r1s_and_dragans_defaults_changed_resumes_with_its_own(tmp_path):

    from ganlip.checkpoint import save_checkpoint

    run_dir = train(tiny_config(tmp_path, constraint="r1+dragan", steps=2, loss="wasserstein", n_critic=2), quiet=True)
    state = load_checkpoint(run_dir / "checkpoints" / "last.pt")
    old = {key: value for key, value in state["config"].items() if key != "critic_schedule"}
    old["constraint"] = "r1+dragan"  # as such a run wrote it
    save_checkpoint({**state, "config": old}, run_dir / "checkpoints", 2)
    config, _ = resume.prepare(tiny_config(tmp_path), resume=run_dir)
    parts = build(config.constraint).parts
    assert (parts[0].gamma, parts[1].interpolate) == (10.0, False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": "fashion-cn"}, "features: unknown feature network 'fashion-cn'; valid: auto, none, digits-cnn"),
        ({"score_metrics": ["fd", "fid"]}, "score_metrics: unknown metric 'fid'; valid: fd, kid, pr, dc, is"),
    ],
)
def test_unknown_feature_networks_and_metrics_are_refused_when_the_config_is_made(tmp_path, changes, message):
    with pytest.raises(GanlipError, match=message):
        resolve(tiny_config(tmp_path, **changes))


def test_scoring_settings_without_score_every_are_said_to_do_nothing(tmp_path):
    idle = build_run(resolve(tiny_config(tmp_path, features="digits-cnn", score_metrics=["is"])))
    assert "features=digits-cnn and score_metrics=is do nothing while score_every is 0" in " ".join(idle.notes)
    plain = build_run(resolve(tiny_config(tmp_path)))
    assert not any("do nothing" in note for note in plain.notes)
