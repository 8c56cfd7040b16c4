import json

import numpy as np
import pytest
import torch
from PIL import Image
from pytorch_fid import inception as pytorch_fid_inception
from pytorch_fid.fid_score import calculate_fid_given_paths

from ganlip import evaluate
from ganlip.errors import GanlipError
from ganlip.evaluate import fid_between
from ganlip.metrics.fid import WEIGHTS_FILE, InceptionFeatures, find_weights, save_statistics, statistics
from ganlip.metrics.frechet import frechet_distance
from ganlip.train import train
from tests.conftest import tiny_config


def random_fid_inception() -> torch.nn.Module:
    """pytorch-fid's FID Inception architecture (fid_inception_v3 without its weight download), randomly
    initialised: the real weights cannot be downloaded here, and no number from these is a real FID."""
    torch.manual_seed(0)
    model = pytorch_fid_inception._inception_v3(num_classes=1008, aux_logits=False, weights=None)
    model.Mixed_5b = pytorch_fid_inception.FIDInceptionA(192, pool_features=32)
    model.Mixed_5c = pytorch_fid_inception.FIDInceptionA(256, pool_features=64)
    model.Mixed_5d = pytorch_fid_inception.FIDInceptionA(288, pool_features=64)
    model.Mixed_6b = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=128)
    model.Mixed_6c = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=160)
    model.Mixed_6d = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=160)
    model.Mixed_6e = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=192)
    model.Mixed_7b = pytorch_fid_inception.FIDInceptionE_1(1280)
    model.Mixed_7c = pytorch_fid_inception.FIDInceptionE_2(2048)
    return model


@pytest.fixture(scope="module")
def torch_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("torch_home")
    (home / "hub" / "checkpoints").mkdir(parents=True)
    torch.save(random_fid_inception().state_dict(), home / "hub" / "checkpoints" / WEIGHTS_FILE)
    return home


@pytest.fixture
def weights_in_hub(torch_home, monkeypatch, tmp_path):
    """The test's weights where pytorch-fid looks ($TORCH_HOME/hub/checkpoints), and an empty stats cache."""
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    monkeypatch.setenv("GANLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    return torch_home / "hub" / "checkpoints" / WEIGHTS_FILE


def image_folder(path, seed: int, n: int = 12):
    path.mkdir()
    rng = np.random.default_rng(seed)
    for i in range(n):
        base = rng.integers(0, 256, (1, 1, 3))
        Image.fromarray((base + rng.integers(0, 60, (32, 32, 3))).clip(0, 255).astype(np.uint8)).save(path / f"{i}.png")
    return path


def test_folder_fid_equals_pytorch_fids_own(weights_in_hub, tmp_path):
    a, b = image_folder(tmp_path / "a", 0), image_folder(tmp_path / "b", 1)
    ours = fid_between(a, b, dims=64, device="cpu")
    theirs = calculate_fid_given_paths([str(a), str(b)], batch_size=50, device="cpu", dims=64, num_workers=0)
    assert ours > 0
    assert ours == pytest.approx(theirs, rel=1e-4)


def test_npz_statistics_in_pytorch_fids_format(weights_in_hub, tmp_path):
    rng = np.random.default_rng(0)
    first, second = statistics(rng.standard_normal((100, 64))), statistics(rng.standard_normal((100, 64)) + 0.5)
    save_statistics(tmp_path / "a.npz", *first)
    save_statistics(tmp_path / "b.npz", *second)
    with np.load(tmp_path / "a.npz") as data:  # what pytorch-fid's loader reads
        assert np.array_equal(data["mu"], first[0]) and np.array_equal(data["sigma"], first[1])
    assert fid_between(tmp_path / "a.npz", tmp_path / "b.npz", dims=64) == pytest.approx(
        frechet_distance(*first, *second)
    )


def test_weights_from_an_explicit_file(weights_in_hub, tmp_path, monkeypatch):
    moved = tmp_path / "elsewhere.pth"
    moved.symlink_to(weights_in_hub)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty_home"))
    with pytest.raises(GanlipError, match="inception-weights"):
        find_weights()
    model = InceptionFeatures(64, moved)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 64)
    monkeypatch.setenv("GANLIP_INCEPTION_WEIGHTS", str(moved))
    assert find_weights() == moved


def test_missing_weights_say_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    with pytest.raises(GanlipError) as error:
        InceptionFeatures()
    assert WEIGHTS_FILE in str(error.value) and str(tmp_path) in str(error.value)


def test_training_logs_fid_and_caches_reference_statistics(weights_in_hub, tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "FID_REFERENCE_IMAGES", 40)
    config = tiny_config(tmp_path, fid_every=2, fid_samples=20, fid_dims=64, steps=2)
    run_dir = train(config, quiet=True)
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert lines[-1]["fid"] > 0
    assert list((tmp_path / "cache" / "fid_stats").glob("digits-train-32px-64d-40.npz"))


def test_training_without_weights_runs_on(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "nothing"))
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    run_dir = train(tiny_config(tmp_path, "8gaussians", fid_every=2, steps=2), quiet=True)
    assert "fid" not in (run_dir / "metrics.jsonl").read_text()


def test_fid_command_on_statistics_needs_no_weights(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ganlip.cli import cli

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "no_weights"))
    rng = np.random.default_rng(1)
    first, second = statistics(rng.standard_normal((50, 8))), statistics(rng.standard_normal((50, 8)) * 2)
    save_statistics(tmp_path / "a.npz", *first)
    save_statistics(tmp_path / "b.npz", *second)
    result = CliRunner().invoke(cli, ["fid", str(tmp_path / "a.npz"), str(tmp_path / "b.npz")])
    assert result.exit_code == 0, result.output
    assert float(result.output) == pytest.approx(frechet_distance(*first, *second), abs=1e-4)
    images = image_folder(tmp_path / "images", 0, n=2)
    missing = CliRunner().invoke(cli, ["fid", str(tmp_path / "a.npz"), str(images)])
    assert missing.exit_code == 2 and "FID Inception weights not found" in missing.output
