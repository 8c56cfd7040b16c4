import math

import pytest
import torch
from click.testing import CliRunner

from ganlip.checkpoint import load_checkpoint
from ganlip.cli import cli
from ganlip.inspection import inspect_critic
from ganlip.train import train
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train(tiny_config(tmp_path_factory.mktemp("inspect"), constraint="sn", steps=2), quiet=True)


def test_inspect_reads_a_run(run_dir):
    records, upper, maxima, note = inspect_critic(run_dir, n=32)
    assert [r.name for r in records] == ["net.0", "net.2", "net.4", "net.6"]
    assert records[0].input_shape == (1, 32, 32) and records[-1].input_shape == (16, 4, 4)
    assert set(maxima) == {"real", "fake", "interp"} and "step 2" in note
    assert upper == pytest.approx(math.prod(r.operator_norm for r in records), rel=1e-12)
    state = load_checkpoint(run_dir / "checkpoints" / "last.pt")["critic"]
    for record in records:  # against the checkpoint's raw weights, by a dense SVD
        raw = state[f"{record.name}.parametrizations.weight.original"]
        exact = torch.linalg.matrix_norm(raw.flatten(1), 2).item()
        assert record.power_estimate == pytest.approx(exact, rel=0.01)
        assert record.matrix_norm == pytest.approx(exact / record.power_estimate, rel=1e-4)


def test_inspect_command_prints_a_table(run_dir):
    result = CliRunner().invoke(cli, ["inspect", str(run_dir / "checkpoints" / "last.pt"), "--n", "16"])
    assert result.exit_code == 0, result.output
    assert "upper bound" in result.output and "net.6" in result.output


def test_the_report_shows_how_far_an_orthonormalized_layer_is_from_orthonormal():
    from ganlip.inspection import format_report
    from ganlip.metrics.spectra import LayerSpectrum

    records = [
        LayerSpectrum("0", "linear", (32,), 1.0, None, 1.0, orthonormality=0.104),
        LayerSpectrum("2", "linear", (32,), 1.0, None, 1.0),
    ]
    text = format_report(records, 1.0, {"real": 0.5}, "note")
    assert "|AᵀA-I|" in text and "1.04e-01" in text.splitlines()[4]
    assert "|AᵀA-I|" not in format_report(records[1:], 1.0, {"real": 0.5}, "note")
