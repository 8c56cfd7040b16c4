import subprocess
import sys
from pathlib import Path

import pytest
import torch
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--constraint", "spectral"], "unknown constraint 'spectral'"),
        (["train", "--constraint", "sn:n_iter=0"], "n_iter must be at least 1"),
        (["train", "--data", "imagenet"], "unknown data set 'imagenet'"),
        (["train", "--arch", "vit"], "unknown architecture 'vit'"),
        (["train", "--set", "stepz=3"], "Did you mean 'steps'"),
        (["train", "--lr", "-1"], "'lr' must be positive"),
        (["train", "--batch-size", "0"], "'batch_size' must be positive"),
        (["train", "--set", "steps=many"], "'steps' must be int"),
        (["train", "--data", "celeba", "--data-root", "/nonexistent"], "img_align_celeba"),
        (["train", "--resume", "/nonexistent"], "holds no checkpoint"),
        (["sample", "/nonexistent.safetensors"], "does not exist"),
    ],
)
def test_user_errors_are_one_line_with_exit_code_2(tmp_path, args, message):
    result = CliRunner().invoke(
        cli, [*args, "--out", str(tmp_path / "x")] if args[0] == "train" and "--resume" not in args else args
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_yaml_syntax_error_is_reported(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [1, 2\n")
    result = CliRunner().invoke(cli, ["train", "--config", str(bad)])
    assert result.exit_code == 2 and "not valid YAML" in result.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_gpu_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["train", "--device", "cuda", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "no usable CUDA GPU" in result.output


def test_debug_shows_the_traceback():
    result = CliRunner().invoke(cli, ["--debug", "train", "--constraint", "nope"])
    assert result.exit_code != 0 and result.exc_info is not None


def test_shim_runs_the_same_group():
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "cli.py", "--help"], cwd=root, capture_output=True, text=True, check=True)
    assert "train" in result.stdout and "export" in result.stdout and "sample" in result.stdout


@pytest.mark.parametrize("recipe", ["celeba64_sngan.yaml", "celeba64_wgangp.yaml", "celeba128_sngan.yaml"])
def test_a_celeba_recipe_is_the_whole_command(tmp_path, recipe):
    from tests.data.test_images import make_celeba

    make_celeba(tmp_path / "data")
    config = Path(__file__).parent.parent / "configs" / recipe
    # the recipe as a user runs it, shrunk to a test's size
    shrink = ["--steps", "1", "--batch-size", "2", "--set", "width=8", "--set", "n_critic=1", "--set", "fid_every=0"]
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
