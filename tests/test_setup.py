import pytest
import torch
import yaml

from ganlip import setup
from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config, from_dict, load
from ganlip.data import load_data
from ganlip.errors import GanlipError
from ganlip.setup import build_run, measurement_set, resolve
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
    monkeypatch.setattr(setup, "native_bf16", lambda device: (native, "probed"))
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
