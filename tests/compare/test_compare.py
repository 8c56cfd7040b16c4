import json
import signal
import subprocess
import sys
import time
from importlib import resources

import pytest

from ganlip.checkpoint import load_checkpoint
from ganlip.compare import compare
from ganlip.errors import GanlipError
from tests.compare.conftest import write_comparison


def test_every_strategy_and_seed_trains_once_into_its_own_directory(toy_comparison):
    out, _, said = toy_comparison
    runs = sorted(p.relative_to(out).as_posix() for p in out.glob("toy/*/seed*"))
    assert runs == ["toy/clip/seed0", "toy/clip/seed1", "toy/sn/seed0", "toy/sn/seed1"]
    assert all("training 4 steps" in line for line in said)
    for run in runs:
        assert load_checkpoint(out / run)["step"] == 4
    configs = [load_checkpoint(out / run)["config"] for run in runs]
    assert [(c["constraint"], c["seed"]) for c in configs] == [("clip", 0), ("clip", 1), ("sn", 0), ("sn", 1)]
    shared = [
        {k: v for k, v in c.items() if k not in ("constraint", "seed", "out", "optimizer", "lr", "betas")}
        for c in configs
    ]
    assert all(c == shared[0] for c in shared)  # same data, architecture and budget; optimizer from each paper


def test_a_second_call_skips_complete_runs_and_rewrites_the_report(toy_comparison):
    out, config, _ = toy_comparison
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("toy/*/seed*/checkpoints/last.pt")}
    said: list[str] = []
    compare(out, config, quiet=True, say=said.append)
    assert len(said) == 4 and all(line.endswith("complete (4 steps), skipped") for line in said)
    assert stamps == {p: p.stat().st_mtime_ns for p in out.glob("toy/*/seed*/checkpoints/last.pt")}


def test_more_steps_resume_the_unfinished_runs(tmp_path):
    config = write_comparison(tmp_path / "c.yaml", constraints=["sn"], seeds=1)
    compare(tmp_path / "out", config, quiet=True, say=lambda _: None)
    said: list[str] = []
    compare(tmp_path / "out", config, steps=6, quiet=True, say=said.append)
    assert said == ["[1/1] toy sn seed 0: resuming at step 4 of 6"]
    run = tmp_path / "out" / "toy" / "sn" / "seed0"
    assert load_checkpoint(run)["step"] == 6
    assert [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()] == [2, 4, 6]


def test_a_run_with_other_settings_is_not_resumed(tmp_path):
    config = write_comparison(tmp_path / "c.yaml", constraints=["sn"], seeds=1)
    compare(tmp_path / "out", config, quiet=True, say=lambda _: None)
    with pytest.raises(GanlipError, match=r"other settings \(batch_size: 16 there, 32 now\).*another --out"):
        compare(tmp_path / "out", config, changes={"batch_size": 32}, quiet=True, say=lambda _: None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"constraints": "sn,nope"}, "unknown constraint 'nope'"),
        ({"constraints": "sn,sn"}, "names sn more than once"),
        ({"seeds": 0}, "seeds must be a positive whole number"),
    ],
)
def test_bad_comparison_options_fail_before_training(tmp_path, changes, message):
    config = write_comparison(tmp_path / "c.yaml")
    with pytest.raises(GanlipError, match=message):
        compare(tmp_path / "out", config, quiet=True, say=lambda _: None, **changes)
    assert not (tmp_path / "out").exists()


def test_cli_compare_reports_bad_input_in_one_line(tmp_path):
    from click.testing import CliRunner

    from ganlip.cli import cli

    config = write_comparison(tmp_path / "c.yaml")
    result = CliRunner().invoke(
        cli, ["compare", "--config", str(config), "--constraints", "sn,spectral", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "unknown constraint 'spectral'" in result.output and "Traceback" not in result.output


@pytest.mark.slow  # a real process killed mid-run and run again: about 12 s
def test_an_interrupted_comparison_resumes_when_run_again(tmp_path):
    config = write_comparison(tmp_path / "c.yaml", constraints=["sn", "gp"], seeds=1, steps=100_000)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ganlip", "compare", "--config", str(config), "--out", str(out), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = out / "toy" / "sn" / "seed0" / "checkpoints" / "last.pt"
    deadline = time.monotonic() + 120
    while not first.exists():  # the first run has checkpointed
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143
    assert "run the same `ganlip compare` command again" in stderr and "Traceback" not in stderr
    stopped_at = load_checkpoint(first)["step"]
    said: list[str] = []
    compare(out, config, steps=stopped_at + 2, quiet=True, say=said.append)
    assert said == [
        f"[1/2] toy sn seed 0: resuming at step {stopped_at} of {stopped_at + 2}",
        f"[2/2] toy gp seed 0: training {stopped_at + 2} steps in {out / 'toy' / 'gp' / 'seed0'}",
    ]
    assert load_checkpoint(first)["step"] == stopped_at + 2


def test_data_options_make_a_one_part_comparison_named_after_the_data(tmp_path):
    said: list[str] = []
    compare(
        tmp_path / "out",
        data="swissroll",
        constraints="sn",
        steps=2,
        changes={"width": 8, "n_critic": 1, "batch_size": 8, "measure_samples": 32, "device": "cpu"},
        quiet=True,
        say=said.append,
    )
    assert said == [f"[1/1] swissroll sn seed 0: training 2 steps in {tmp_path / 'out/swissroll/sn/seed0'}"]
    assert load_checkpoint(tmp_path / "out/swissroll/sn/seed0")["config"]["data"] == "swissroll"


def test_setting_the_data_of_a_suite_is_refused(tmp_path):
    with pytest.raises(GanlipError, match=r"--set data=swissroll would train every part .* use --data swissroll"):
        compare(tmp_path / "out", changes={"data": "swissroll"}, say=lambda _: None)
    suite = resources.files("ganlip.compare") / "default_suite.yaml"
    with pytest.raises(GanlipError, match="cannot apply to a suite of 5 parts"):
        compare(tmp_path / "out", config=suite, data="swissroll", say=lambda _: None)
    assert not (tmp_path / "out").exists()


def test_the_compare_command_takes_the_training_options(tmp_path):
    from click.testing import CliRunner

    from ganlip.cli import cli

    options = ["--data", "checkerboard", "--constraints", "clip", "--steps", "2", "--batch-size", "8"]
    options += ["--n-critic", "1", "--arch", "mlp", "--device", "cpu", "--set", "width=8", "--quiet"]
    result = CliRunner().invoke(cli, ["compare", *options, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    config = load_checkpoint(tmp_path / "out/checkerboard/clip/seed0")["config"]
    assert (config["data"], config["batch_size"], config["n_critic"], config["arch"]) == ("checkerboard", 8, 1, "mlp")
    refused = CliRunner().invoke(cli, ["compare", "--set", "data=mnist", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "use --data mnist" in refused.output
