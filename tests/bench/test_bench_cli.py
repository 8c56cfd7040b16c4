import json
import os

import pytest
from click.testing import CliRunner

from ganlip.cli import cli

TINY = ["bench", "w1", "--constraints", "gp,sn:n_iter=2", "--dims", "2", "--funnels", "4", "--seeds", "2"]
TINY += ["--iterations", "30"]


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_tiny_benchmark_writes_results_report_and_figures_and_skips_what_is_done(tmp_path):
    out = tmp_path / "bench"
    first = invoke(*TINY, "--out", str(out))
    assert first.exit_code == 0, first.output
    results = json.loads((out / "results.json").read_text())
    assert len(results) == 4
    fields = {"constraint", "dim", "funnels", "seed", "true_w1", "w1_estimate", "cosine", "l2", "sec_per_iteration"}
    assert all(fields <= set(result) for result in results)
    assert {r["constraint"] for r in results} == {"gp:weight=10.0", "sn:n_iter=2"}  # the paper's, unless given
    assert {r["strategy"] for r in results} == {"gp", "sn:n_iter=2"}  # as the user named them
    report = (out / "report.md").read_text()
    assert "| gp | 2 | 4 | 2 | 30 |" in report and "0.845" in report  # the paper's gp cosine beside ours
    assert "| sn:n_iter=2 | 2 | 4 | 2 | 30 |" in report and "0.213" in report  # and its SN-GAN's, parameters aside
    assert "Rule: confirmed when the 95% bootstrap interval" in report
    for figure in ("cosine.png", "estimates.png", "surfaces.png"):
        assert (out / "figures" / figure).stat().st_size > 1000
    assert "<table>" in (out / "report.html").read_text()
    again = invoke(*TINY, "--out", str(out))
    assert again.output.count("complete (30 iterations), skipped") == 4
    changed = CliRunner().invoke(cli, [*TINY[:-1], "40", "--out", str(out)])
    assert changed.exit_code == 2 and "holds a run with other settings (iterations: 30 there, 40 now)" in changed.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--constraints", "gp,nope"], "unknown constraint 'nope'"),
        (["--dims", "3"], "publishes no pair of dimension 3"),
        (["--funnels", "0", "--pair-seed", "1"], "at least 1"),
        (["--dims", "2,x"], "--dims takes comma-separated integers"),
        (["--iterations", "lots"], "--iterations takes a positive integer or `paper`"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, options, message):
    result = CliRunner().invoke(cli, ["bench", "w1", "--out", str(tmp_path / "b"), *options])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_output_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = CliRunner().invoke(cli, [*TINY, "--out", str(locked / "b")])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_an_output_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(cli, [*TINY, "--out", str(tmp_path / "file" / "b")])
    assert result.exit_code == 2 and "cannot write the run directory" in result.output
    assert len(result.output.strip().splitlines()) == 1
