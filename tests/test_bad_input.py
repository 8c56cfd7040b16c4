"""Bad input: each case gives one line naming the problem and the fix, a non-zero exit code, no traceback,
and leaves existing files as they were."""

import errno
import hashlib
import os
import pickle
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from ganlip.checkpoint import load_checkpoint
from ganlip.cli import cli
from ganlip.errors import GanlipError
from ganlip.export import export_generator
from ganlip.train import train
from tests.conftest import tiny_config

TINY = ["--steps", "2", "--n-critic", "1", "--batch-size", "16", "--set", "width=8", "--quiet"]


class Evil:
    """Unpickling this would run a command; weights_only loading must refuse it."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def snapshot(folder: Path) -> dict[str, str]:
    return {  # the writer lock holds who last wrote, not data
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".ganlip.lock"
    }


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train(tiny_config(tmp_path_factory.mktemp("bad"), "8gaussians", steps=2), quiet=True)


@pytest.fixture
def files(tmp_path, run_dir):
    """Small files the cases point at."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "a_file").write_text("not a folder")
    broken = tmp_path / "broken_images"
    broken.mkdir()
    for i in range(3):
        Image.new("RGB", (40, 40), (i * 80, 0, 0)).save(broken / f"good{i}.png")
    (broken / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (tmp_path / "bad.yaml").write_text("steps: [1, 2\n")
    (tmp_path / "bad.npz").write_bytes(b"not a numpy archive")
    (tmp_path / "unknown_key.yaml").write_text("stpes: 10\n")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "foreign.pt")
    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"format": "ganlip-checkpoint", "x": Evil(tmp_path / "pwned")}))
    (tmp_path / "torn.pt").write_bytes((run_dir / "checkpoints" / "last.pt").read_bytes()[:200])
    weights, _ = export_generator(run_dir, tmp_path / "G.safetensors")
    weights.write_bytes(weights.read_bytes()[:64])
    return tmp_path


CASES = {
    "unknown strategy": (["train", "--constraint", "spectral"], "unknown constraint 'spectral'"),
    "unknown architecture": (["train", "--arch", "vit"], "unknown architecture 'vit'"),
    "unknown data set": (["train", "--data", "imagenet"], "unknown data set 'imagenet'"),
    "sn n_iter 0": (["train", "--constraint", "sn:n_iter=0"], "n_iter must be at least 1"),
    "clip c negative": (["train", "--constraint", "clip:c=-1"], "c must be positive"),
    "unknown strategy key": (["train", "--constraint", "sn:power=2"], "no parameter 'power'"),
    "missing data directory": (["train", "--data", "folder", "--data-root", "{tmp}/nowhere"], "does not exist"),
    "empty data directory": (["train", "--data", "folder", "--data-root", "{tmp}/empty"], "holds no images"),
    "data root is a file": (["train", "--data", "folder", "--data-root", "{tmp}/a_file"], "is a file"),
    "corrupt image": (
        [
            "train",
            "--data",
            "folder",
            "--data-root",
            "{tmp}/broken_images",
            "--set",
            "resolution=32",
            *TINY[:2],
            "--batch-size",
            "2",
        ],
        "broken.jpg",
    ),
    "celeba missing": (["train", "--data", "celeba", "--data-root", "{tmp}/empty"], "img_align_celeba"),
    "yaml syntax": (["train", "--config", "{tmp}/bad.yaml"], "not valid YAML"),
    "unknown key in yaml": (["train", "--config", "{tmp}/unknown_key.yaml"], "Did you mean 'steps'"),
    "missing config file": (["train", "--config", "{tmp}/none.yaml"], "does not exist"),
    "mistyped --set key": (["train", "--set", "n_critc=3"], "Did you mean 'n_critic'"),
    "wrong type": (["train", "--set", "steps=many"], "'steps' must be int"),
    "negative lr": (["train", "--lr", "-1"], "'lr' must be positive"),
    "zero lr": (["train", "--lr", "0"], "'lr' must be positive"),
    "zero batch": (["train", "--batch-size", "0"], "'batch_size' must be positive"),
    "zero steps": (["train", "--steps", "0"], "'steps' must be positive"),
    "batch larger than data": (["train", "--batch-size", "5000"], "lower --batch-size"),
    "unwritable output": (
        ["train", "--data", "8gaussians", "--out", "{tmp}/a_file/run", *TINY],
        "cannot write the run directory",
    ),
    "resume without checkpoint": (["train", "--resume", "{tmp}/empty"], "holds no checkpoint"),
    "resume with another architecture": (["train", "--resume", "{run}", "--set", "arch=dcgan"], "cannot change arch"),
    "resume with a config file": (["train", "--resume", "{run}", "--config", "{tmp}/bad.yaml"], "cannot be combined"),
    "existing run without --resume": (
        ["train", "--data", "8gaussians", "--out", "{run}", *TINY],
        "already holds a run",
    ),
    "not a ganlip checkpoint": (
        ["export", "{tmp}/foreign.pt", "--out", "{tmp}/x.safetensors"],
        "not a ganlip checkpoint",
    ),
    "missing checkpoint": (["export", "{tmp}/nothere.pt", "--out", "{tmp}/x.safetensors"], "does not exist; check"),
    "bad statistics file": (["fid", "{tmp}/bad.npz", "{tmp}/bad.npz"], "is not a statistics file with arrays mu"),
    "folder without images to score": (
        ["score", "{tmp}/empty", "{tmp}/empty", "--features", "digits-cnn"],
        "holds 0 images; scoring needs at least",
    ),
    "pickle that runs code": (["export", "{tmp}/evil.pt", "--out", "{tmp}/x.safetensors"], "refusing to load"),
    "torn checkpoint": (["inspect", "{tmp}/torn.pt"], "cannot read checkpoint"),
    "truncated safetensors (sample)": (["sample", "{tmp}/G.safetensors", "--out", "{tmp}/s.png"], "truncated"),
    "truncated safetensors (fid)": (["fid", "{tmp}/G.safetensors", "{tmp}/G.safetensors"], "truncated"),
    "no samples": (["sample", "{tmp}/G.safetensors", "--n", "0"], "--n must be positive"),
    "cuda without a gpu": (["train", "--device", "cuda"], "no usable CUDA GPU"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_clear_line(case, files, run_dir, monkeypatch):
    if case == "cuda without a gpu" and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    monkeypatch.setenv("TORCH_HOME", str(files / "no_weights"))
    args, message = CASES[case]
    args = [a.replace("{tmp}", str(files)).replace("{run}", str(run_dir)) for a in args]
    if args[0] == "train" and "--out" not in args and "--resume" not in args:
        args += ["--out", str(files / "new_run")]
    before = snapshot(run_dir)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert snapshot(run_dir) == before
    assert not (files / "pwned").exists()
    assert not (files / "x.safetensors").exists()


def test_unreadable_images_can_be_skipped_with_a_count(files, capfd):
    config = tiny_config(
        files,
        "folder",
        data_root=str(files / "broken_images"),
        resolution=32,
        width=4,
        skip_bad_images=True,
        batch_size=2,
        steps=1,
    )
    train(config, quiet=True)
    assert "skipped 1 unreadable image(s) of 4" in capfd.readouterr().err


def test_mixed_sizes_and_channels_are_squared_and_made_rgb(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.new("L", (40, 30), 128).save(folder / "gray.png")
    Image.new("RGBA", (20, 50), (255, 0, 0, 128)).save(folder / "rgba.png")
    Image.new("RGB", (64, 64), (0, 255, 0)).save(folder / "rgb.jpg")
    run_dir = train(
        tiny_config(tmp_path, "folder", data_root=str(folder), resolution=32, batch_size=2, steps=1), quiet=True
    )
    assert load_checkpoint(run_dir)["data_shape"] == [3, 32, 32]


def test_full_disk_while_checkpointing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    config = tiny_config(tmp_path, "8gaussians", steps=4, checkpoint_every=2)
    run_dir = train(config.replace(steps=2), quiet=True)
    before = snapshot(run_dir / "checkpoints")

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", no_space)
    with pytest.raises(GanlipError, match=r"step_000004.pt: the disk is full.*untouched.*ganlip train --resume"):
        train(config, resume=run_dir, changes={"steps": 4}, quiet=True)
    assert snapshot(run_dir / "checkpoints") == before
    assert not list((run_dir / "checkpoints").glob(".*.tmp"))
    assert load_checkpoint(run_dir)["step"] == 2


def test_divergence_exits_non_zero_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    import ganlip.train as train_module

    original = train_module.critic_step

    def poisoned(run, real):  # from step 3 on, a critic weight is NaN, as after an exploding update
        if run.step >= 3:
            with torch.no_grad():
                next(run.critic.parameters()).fill_(float("nan"))
        return original(run, real)

    monkeypatch.setattr(train_module, "critic_step", poisoned)
    out = tmp_path / "run"
    args = [
        "train",
        "--data",
        "8gaussians",
        "--steps",
        "10",
        "--out",
        str(out),
        "--set",
        "checkpoint_every=1",
        "--set",
        "log_every=1",
        "--set",
        "width=8",
        "--quiet",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3  # a divergence
    assert "diverged at step 3: loss/critic is nan" in result.output and "last good checkpoint" in result.output
    checkpoint = load_checkpoint(out)
    assert checkpoint["step"] == 2
    assert all(torch.isfinite(t).all() for t in checkpoint["critic"].values())
