"""`ganlip stats build` and `verify`: a data set's statistics in pytorch-fid's layout with their protocol, checked
against an independent computation, recomputed to verify, and reported by `ganlip score`."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import ganlip.metrics
from ganlip.cli import cli
from ganlip.data import load_data
from ganlip.metrics.features import build_features
from ganlip.metrics.protocol import file_sha256

WEIGHTS = Path(ganlip.metrics.__file__).parent / "weights"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("stats") / "digits.npz"
    result = CliRunner().invoke(
        cli,
        ["stats", "build", "digits", "--features", "digits-cnn", "--out", str(out), "--n", "300", "--device", "cpu"],
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_file_is_pytorch_fids_layout_with_the_features_and_protocol(built):
    with np.load(built) as data:  # as pytorch-fid reads a statistics file: mu and sigma by name
        mu, sigma, features, protocol = data["mu"], data["sigma"], data["features"], json.loads(str(data["protocol"]))
    dataset = load_data("digits")
    images = torch.stack([dataset[i] for i in range(300)])
    with torch.no_grad():
        expected = build_features("digits-cnn")(images).double().numpy()
    assert np.allclose(mu, expected.mean(0), atol=1e-6)
    assert np.allclose(sigma, np.cov(expected, rowvar=False), atol=1e-6)
    assert np.allclose(features, expected[: len(features)], atol=1e-5)
    assert protocol["features"] == "digits-cnn" and protocol["samples"] == 300 and protocol["source"] == "digits train"
    assert protocol["weights_sha256"] == file_sha256(WEIGHTS / "digits-cnn.safetensors")


def test_verify_agrees_with_an_untouched_file_and_refuses_a_changed_one(built, tmp_path):
    result = CliRunner().invoke(cli, ["stats", "verify", str(built), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output and "feature weights match" in result.output
    changed = tmp_path / "changed.npz"
    with np.load(built) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["mu"] = arrays["mu"] + 0.5
    np.savez(changed, **arrays)
    result = CliRunner().invoke(cli, ["stats", "verify", str(changed), "--device", "cpu"])
    assert result.exit_code == 1 and "does not match what its protocol recomputes" in result.output
    other_weights = tmp_path / "other-weights.npz"
    arrays["mu"] = arrays["mu"] - 0.5
    arrays["protocol"] = np.array(str(arrays["protocol"]).replace('"weights_sha256": "', '"weights_sha256": "0'))
    np.savez(other_weights, **arrays)
    result = CliRunner().invoke(cli, ["stats", "verify", str(other_weights), "--device", "cpu"])
    assert result.exit_code == 1 and "feature weights DIFFER" in result.output


def test_score_prints_the_protocol_and_warns_once_where_a_file_was_made_otherwise(built, tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    from torchvision.utils import save_image

    dataset = load_data("digits")
    for i in range(40):
        save_image(dataset[i] * 0.5 + 0.5, folder / f"{i}.png")
    same = CliRunner().invoke(cli, ["score", str(built), str(folder), "--features", "digits-cnn", "--metrics", "fd"])
    assert same.exit_code == 0, same.output
    assert "protocol: digits-cnn features" in same.output and "300 samples of digits train" in same.output
    assert "warning" not in same.output
    other = CliRunner().invoke(cli, ["score", str(built), str(folder), "--features", "fashion-cnn", "--metrics", "fd"])
    assert other.output.count("warning:") == 1 and "made with digits-cnn features" in other.output
