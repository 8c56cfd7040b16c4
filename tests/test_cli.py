import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ganlip.cli import cli

TINY = [
    "--steps",
    "2",
    "--n-critic",
    "1",
    "--batch-size",
    "16",
    "--set",
    "width=8",
    "--set",
    "log_every=1",
    "--set",
    "checkpoint_every=1",
    "--quiet",
]


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_train_resume_export_sample(tmp_path):
    out = tmp_path / "run"
    result = invoke(
        "train", "--data", "8gaussians", "--constraint", "sn", "--constraint", "gp:weight=5", "--out", str(out), *TINY
    )
    assert result.exit_code == 0, result.output
    assert "sn+gp:weight=5" in (out / "config.yaml").read_text()
    assert invoke("train", "--resume", str(out), "--steps", "3", "--quiet").exit_code == 0
    assert (out / "checkpoints" / "step_000003.pt").is_file()
    assert invoke("export", str(out), "--out", str(tmp_path / "G.safetensors")).exit_code == 0
    assert (
        invoke("sample", str(tmp_path / "G.safetensors"), "--n", "100", "--out", str(tmp_path / "s.png")).exit_code == 0
    )
    assert (tmp_path / "s.png").is_file()


def test_config_file_and_set_override(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("data: 8gaussians\nconstraint: clip\nsteps: 1\nwidth: 8\n")
    out = tmp_path / "run"
    assert invoke("train", "--config", str(config), "--set", "n_critic=1", "--out", str(out), "--quiet").exit_code == 0
    text = (out / "config.yaml").read_text()
    assert "n_critic: 1" in text and "optimizer: rmsprop" in text


@pytest.mark.slow  # two processes each importing torch: about 14 s
def test_debug_shows_the_traceback():
    """In a real process: one line without `--debug`, Python's traceback with it."""

    def ganlip(*flags: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "ganlip", *flags, "train", "--constraint", "nope"]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    plain, debug = ganlip(), ganlip("--debug")
    assert plain.returncode == 2 and "unknown constraint 'nope'" in plain.stderr
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "ganlip.errors.GanlipError: unknown constraint 'nope'" in debug.stderr


def test_shim_runs_the_same_group():
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "cli.py", "--help"], cwd=root, capture_output=True, text=True, check=True)
    assert "train" in result.stdout and "export" in result.stdout and "sample" in result.stdout


@pytest.mark.parametrize("recipe", ["celeba64_sngan.yaml", "celeba64_wgangp.yaml", "celeba128_sngan.yaml"])
def test_a_celeba_recipe_is_the_whole_command(tmp_path, recipe):
    from tests.data.test_celeba import make_celeba

    make_celeba(tmp_path / "data")
    config = Path(__file__).parent.parent / "configs" / recipe
    # the recipe as a user runs it, shrunk to a test's size
    shrink = ["--steps", "1", "--batch-size", "2", "--set", "width=8", "--set", "n_critic=1", "--set", "score_every=0"]
    result = invoke(
        "train",
        "--config",
        str(config),
        "--data-root",
        str(tmp_path / "data"),
        "--out",
        str(tmp_path / "run"),
        "--quiet",
        *shrink,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "checkpoints" / "last.pt").is_file()


def test_models_lists_every_architecture_with_its_parameter_counts():
    """Each printed count is the parameter count of the model built here at that size."""
    from ganlip.models import available_critics, available_models, build_critic, build_model, family

    output = CliRunner().invoke(cli, ["models"]).output.splitlines()
    rows = {(fields[0], fields[1]): fields[2:] for fields in (line.split() for line in output[1:])}
    expected = set()
    for name in available_models():
        for resolution in family(name).resolutions or (None,):
            shape = (3, resolution, resolution) if resolution else (2,)
            counts = [f"{sum(p.numel() for p in net.parameters()):,}" for net in build_model(name, shape)]
            assert rows[(name, str(resolution or "2-D"))] == counts
            expected.add((name, str(resolution or "2-D")))
    for name in available_critics():  # critic families: the generator is the architecture's
        for shape in [(3, 32, 32), (2,)]:
            key = (name, str(shape[-1]) if len(shape) == 3 else "2-D")
            assert rows[key] == ["-", f"{sum(p.numel() for p in build_critic(name, shape).parameters()):,}"]
            expected.add(key)
    assert set(rows) == expected


def test_strategies_lists_every_strategy_with_its_defaults_and_recipes():
    from ganlip.constraints.base import available, strategy_class

    output = CliRunner().invoke(cli, ["strategies"]).output
    for name in available():
        cls = strategy_class(name)
        assert re.search(rf"^{re.escape(name)}\s+{cls.kind}\s", output, re.MULTILINE), name
    assert "weight=0.01, at=interp, per_sample=True" in output  # pgp's defaults
    assert "WGAN-GP gan_toy.py lines 23, 90-92" in output  # gp's toy recipe


def test_help_lists_what_the_registries_hold():
    from ganlip.constraints import available
    from ganlip.data import available_data
    from ganlip.metrics.features import available_features
    from ganlip.metrics.fid import DIMS
    from ganlip.models import available_models

    def listed(command, option):
        text = " ".join(invoke(command, "--help").output.split())
        return re.search(rf"{option} .*?One of: ([^.]+)\.", text).group(1).split(", ")

    assert listed("train", "--data") == available_data()
    assert listed("train", "--arch") == available_models()
    assert listed("train", "--constraint") == available()
    assert listed("compare", "--data") == available_data()
    assert listed("score", "--features") == [*available_features(), "auto"]
    assert listed("fid", "--dims") == [str(d) for d in DIMS]


def test_datasets_lists_every_data_set_with_its_defaults():
    from ganlip.data import available_data, data_spec

    rows = {line.split()[0]: line.split()[1:] for line in invoke("datasets").output.splitlines()[1:]}
    assert list(rows) == available_data()
    for name, (kind, resolution, classes, arch, *_) in rows.items():
        spec = data_spec(name)
        assert (kind, resolution, arch) == (spec.kind, str(spec.resolution or "2-D"), spec.arch)
        assert classes == {None: "subdirs", 0: "-"}.get(spec.classes, str(spec.classes))
    assert rows["fashion-mnist"][2] == "10" and rows["25gaussians"][2] == "25" and rows["folder"][2] == "subdirs"


@pytest.mark.parametrize("device", ["gpu", "cuda1", "cuda:x"])
def test_a_device_name_that_means_nothing_is_refused_with_the_valid_ones(device, tmp_path):
    result = CliRunner().invoke(cli, ["train", "--device", device, "--out", str(tmp_path / "run"), *TINY])
    assert result.exit_code == 2
    assert f"device '{device}' is not valid; use one of auto, cpu, cuda, or cuda:N" in result.output


def test_train_dry_run_prints_the_resolved_config_and_trains_nothing(tmp_path):
    import yaml

    from ganlip.config import Config, from_dict
    from ganlip.resolution import resolve

    out = tmp_path / "run"
    result = invoke("train", "--data", "8gaussians", "--constraint", "gp", "--out", str(out), "--dry-run")
    assert result.exit_code == 0, result.output
    printed = from_dict(yaml.safe_load(result.output))
    assert printed == resolve(Config(data="8gaussians", constraint="gp", out=str(out)))
    assert "constraint: gp:weight=0.1\n" in result.output  # WGAN-GP's toy weight, and its optimizer marked so:
    assert "optimizer: adam  # the recipe of gp (WGAN-GP gan_toy.py" in result.output
    assert not out.exists()


def test_compare_dry_run_prints_the_plan_and_set_wins_over_a_flag_as_in_train(tmp_path):
    out = tmp_path / "compare"
    result = invoke(
        "compare", "--data", "8gaussians", "--constraints", "clip,gp", "--seeds", "2", "--steps", "3",
        "--batch-size", "32", "--set", "batch_size=16", "--out", str(out), "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "8gaussians: data 8gaussians, mlp, 3 generator steps with 5 critic steps, batch 16, 2 seed(s)" in result.output
    )
    assert len(re.findall(r"^\[\d/4\] 8gaussians (clip|gp) seed [01]: training 3 steps in ", result.output, re.M)) == 4
    assert not out.exists()
