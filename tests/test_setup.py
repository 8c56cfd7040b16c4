import pytest
import torch

from ganlip.checkpoint import load_checkpoint
from ganlip.data import load_data
from ganlip.errors import GanlipError
from ganlip.resolution import resolve
from ganlip.setup import build_run, measurement_set
from ganlip.train import train
from tests.conftest import tiny_config


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", steps=2), quiet=True)
    wider = resolve(tiny_config(tmp_path, "8gaussians", width=32))
    with pytest.raises(GanlipError, match=r"does not fit the configured model .*resume with the run's own config"):
        build_run(wider, load_checkpoint(run_dir))


def test_the_measurement_set_is_fixed_by_the_seed_alone(tmp_path):
    config = resolve(tiny_config(tmp_path, "8gaussians"))
    dataset = load_data(config.data, seed=config.seed)
    reference, noise, labels = measurement_set(config, dataset, 2)
    torch.rand(7)  # the global stream moves: the set does not
    again = measurement_set(config, dataset, 2)
    assert torch.equal(reference, again[0]) and torch.equal(noise, again[1])
    assert reference.shape == (config.measure_samples, 2) and noise.shape == (config.measure_samples, 2)
    assert labels is None  # an unconditional run's set carries no classes
    other = measurement_set(config.replace(seed=1), dataset, 2)
    assert not torch.equal(reference, other[0]) and not torch.equal(noise, other[1])


def test_scores_are_prepared_with_the_run_or_said_to_be_off(tmp_path):
    points = build_run(resolve(tiny_config(tmp_path, "8gaussians", score_every=2)))
    assert points.scoring is None and "these data are 2-D points" in points.notes[-1]
    images = build_run(resolve(tiny_config(tmp_path, features="digits-cnn", score_every=2, score_samples=32)))
    assert images.scoring.features == "digits-cnn" and images.scoring.reference.mu.shape == (128,)
    assert "on digits-cnn features every 2 steps" in images.notes[-1]
