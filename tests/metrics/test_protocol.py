"""Score protocols: what a run writes about how its scores are computed, and the comparison's warning where the
runs of a part differ."""

import json

import pytest

from ganlip.compare.report import score_protocols
from ganlip.compare.suite import PlannedRun
from ganlip.config import Config
from ganlip.metrics.protocol import SCORE_PROTOCOL, Protocol, file_sha256, weights_sha256
from ganlip.train import train
from tests.conftest import tiny_config

REAL = Protocol("fashion-cnn", "ab" * 32, 128, 32, "8-bit files", 60000, "fashion-mnist train")


def test_differences_name_each_field_that_differs():
    other = Protocol("fashion-cnn", "ab" * 32, 128, 32, "8-bit files", 10000, "fashion-mnist test")
    assert REAL.differences(other, ignore=()) == [
        "samples: 60000 vs 10000",
        "source: fashion-mnist train vs fashion-mnist test",
    ]
    assert REAL.differences(other) == ["samples: 60000 vs 10000"]


def test_a_scored_run_writes_how_its_scores_are_computed(tmp_path):
    config = tiny_config(tmp_path, "digits", steps=2, score_every=2, score_samples=50, features="digits-cnn")
    written = json.loads((train(config, quiet=True) / SCORE_PROTOCOL).read_text())
    assert written["generated"] == {"samples": 50, "quantization": "8-bit, as a saved PNG"}
    real = Protocol(**written["real"])
    assert (real.features, real.source, real.quantization) == ("digits-cnn", "digits train", "8-bit files")
    assert real.weights_sha256 == weights_sha256("digits-cnn") and len(real.weights_sha256) == 64
    assert real.samples == 1797  # every image of scikit-learn's digits


def planned(tmp_path, name, real, samples):
    run_dir = tmp_path / name
    run_dir.mkdir()
    scored = {"real": json.loads(real.to_json()), "generated": {"samples": samples, "quantization": "8-bit"}}
    (run_dir / SCORE_PROTOCOL).write_text(json.dumps(scored))
    return PlannedRun("part", name, 0, Config(out=str(run_dir)))


def test_a_comparison_names_the_protocol_its_runs_share_and_warns_where_they_differ(tmp_path):
    same = [planned(tmp_path, "a", REAL, 5000), planned(tmp_path, "b", REAL, 5000)]
    line, warning = score_protocols(same)
    assert warning is None and "60,000 samples of fashion-mnist train" in line and "5,000 samples" in line
    other = Protocol("fashion-cnn", "cd" * 32, 128, 32, "8-bit files", 60000, "fashion-mnist train")
    line, warning = score_protocols([*same, planned(tmp_path, "c", other, 10000)])
    assert line is None
    assert f"weights_sha256: {'ab' * 32} vs {'cd' * 32}" in warning and "generated samples: 5000 vs 10000" in warning


def test_file_sha256_is_the_files_digest(tmp_path):
    import hashlib

    (tmp_path / "w").write_bytes(b"weights")
    assert file_sha256(tmp_path / "w") == hashlib.sha256(b"weights").hexdigest()
    with pytest.raises(FileNotFoundError):
        file_sha256(tmp_path / "missing")
