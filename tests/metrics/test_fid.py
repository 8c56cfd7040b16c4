import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from pytorch_fid.fid_score import calculate_fid_given_paths, calculate_frechet_distance

from ganlip import evaluate
from ganlip.data import load_data
from ganlip.errors import GanlipError
from ganlip.evaluate import fid_between
from ganlip.metrics import fid
from ganlip.metrics.fid import WEIGHTS_FILE, InceptionFeatures, find_weights
from ganlip.metrics.statistics import load_statistics, save_statistics, statistics
from ganlip.train import train
from tests.conftest import tiny_config
from tests.metrics.conftest import image_folder


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
        calculate_frechet_distance(*first, *second),
        rel=1e-6,  # pytorch-fid's own formula
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
    assert "downloading" in str(error.value) and not list(tmp_path.rglob("*.pth*"))


def _serve(weights: Path, monkeypatch) -> None:
    """Serve `weights` at a file:// URL, with torch.hub's expected hash prefix set to the file's own."""
    monkeypatch.setenv("GANLIP_INCEPTION_URL", weights.as_uri())
    monkeypatch.setattr(fid, "WEIGHTS_HASH_PREFIX", hashlib.sha256(weights.read_bytes()).hexdigest()[:8])


def test_missing_weights_are_downloaded_into_pytorch_fids_cache(weights_in_hub, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "fresh_home"))
    _serve(weights_in_hub, monkeypatch)
    model = InceptionFeatures(64)
    downloaded = tmp_path / "fresh_home" / "hub" / "checkpoints" / WEIGHTS_FILE
    assert downloaded.read_bytes() == weights_in_hub.read_bytes()
    assert find_weights() == downloaded
    reference = InceptionFeatures(64, weights_in_hub)
    images = torch.rand(2, 3, 32, 32) * 2 - 1
    assert torch.equal(model(images), reference(images))


def test_a_corrupt_download_leaves_nothing_behind(weights_in_hub, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "fresh_home"))
    _serve(weights_in_hub, monkeypatch)
    monkeypatch.setattr(fid, "WEIGHTS_HASH_PREFIX", "00000000")  # what a truncated or altered file would give
    with pytest.raises(GanlipError, match="corrupt"):
        InceptionFeatures(64)
    assert list((tmp_path / "fresh_home" / "hub" / "checkpoints").iterdir()) == []


def test_training_logs_fid_and_caches_reference_features(weights_in_hub, tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "FID_REFERENCE_IMAGES", 40)
    config = tiny_config(tmp_path, score_every=2, score_samples=20, fid_dims=64, steps=2, features="inception")
    run_dir = train(config, quiet=True)
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert lines[-1]["fd/inception"] > 0
    (cached,) = (tmp_path / "cache" / "fid_stats").glob("digits-train-32px-inception64-40.npz")
    # Read back: the statistics of the 40 reference digits in Inception's 64-d block, computed independently.
    dataset = load_data("digits", resolution=32)
    with torch.no_grad():
        expected = InceptionFeatures(64)(torch.stack([dataset[i] for i in range(40)])).double().numpy()
    mu, sigma, kept, _, _ = load_statistics(cached)
    assert np.allclose(mu, expected.mean(0), atol=1e-5) and np.allclose(sigma, np.cov(expected.T), atol=1e-5)
    assert kept.shape == (40, 64)


def test_training_without_weights_runs_on(tmp_path, monkeypatch):
    """Image data, auto features, no Inception weights and no download: the digits' own network scores."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "nothing"))
    monkeypatch.setenv("GANLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    run_dir = train(tiny_config(tmp_path, score_every=2, score_samples=40, steps=2), quiet=True)
    line = json.loads((run_dir / "metrics.jsonl").read_text().splitlines()[-1])
    assert "fd/inception" not in line
    assert line["fd/digits-cnn"] > 0 and 0 <= line["precision/digits-cnn"] <= 1


def test_inception_without_weights_tries_the_download_and_trains_on(tmp_path, monkeypatch):
    """features=inception on an offline machine: the download fails, the run says so and trains on."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "nothing"))
    monkeypatch.setenv("GANLIP_INCEPTION_URL", (tmp_path / "no_such_file.pth").as_uri())
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    run_dir = train(tiny_config(tmp_path, score_every=2, steps=2, features="inception"), quiet=True)
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert lines[-1]["step"] == 2 and not any(key.startswith("fd/") for line in lines for key in line)


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
    assert float(result.output) == pytest.approx(calculate_frechet_distance(*first, *second), abs=1e-4)
    images = image_folder(tmp_path / "images", 0, n=6)
    missing = CliRunner().invoke(cli, ["fid", str(tmp_path / "a.npz"), str(images)])
    assert missing.exit_code == 2 and "FID Inception weights not found" in missing.output


def test_fid_of_a_run_directory_is_that_of_its_exported_generator(weights_in_hub, tmp_path):
    """A run directory is read through its last checkpoint: the same generator and noise as its export, so
    the same FID against images, and 0 against the export."""
    from ganlip.export import export_generator

    run_dir = train(tiny_config(tmp_path, steps=2, score_every=0), quiet=True)
    exported = export_generator(run_dir, tmp_path / "G.safetensors")[0]
    images = image_folder(tmp_path / "images", 0, n=20)
    from_run = fid_between(images, run_dir, n=20, dims=64, device="cpu")
    assert from_run > 0 and from_run == pytest.approx(fid_between(images, exported, n=20, dims=64, device="cpu"))
    assert fid_between(run_dir, exported, n=20, dims=64, device="cpu") == pytest.approx(0, abs=1e-6)
