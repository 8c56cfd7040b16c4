"""A failing write (a full disk, a torch writer error, a read-only file system) leaves the previous file, no
temporary file, and one line naming the path, the cause and the space it needed."""

import errno
import shutil
import subprocess
import sys

import pytest
import torch

from ganlip.atomic import atomic_path, write_text
from ganlip.checkpoint import load_checkpoint
from ganlip.errors import GanlipError
from ganlip.train import train
from tests.conftest import tiny_config


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "report.md"
    write_text(path, "old")
    refused = pytest.raises(GanlipError, match=r"could not write .*report.md: the filesystem is read-only")
    with refused, atomic_path(path) as temporary:
        temporary.write_text("half")
        raise OSError(errno.EROFS, "Read-only file system")
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]
    with pytest.raises(ZeroDivisionError), atomic_path(path) as temporary:  # other errors pass through, cleaned up
        temporary.write_text("half")
        raise ZeroDivisionError
    assert list(tmp_path.iterdir()) == [path]


def test_torchs_writer_failing_mid_checkpoint_stops_training_with_the_last_checkpoint_kept(tmp_path, monkeypatch):
    import ganlip.checkpoint as checkpoint

    saves, real_save = [], torch.save

    def failing_save(payload, file):  # the second checkpoint: half written, then the zip writer's error
        saves.append(file)
        if len(saves) == 1:
            return real_save(payload, file)
        with open(file, "wb") as half:
            half.write(b"PK" + bytes(1000))
        raise RuntimeError("[enforce fail at inline_container.cc:626] . PytorchStreamWriter failed writing file data/3")

    monkeypatch.setattr(checkpoint.torch, "save", failing_save)
    with pytest.raises(GanlipError) as stopped:
        train(tiny_config(tmp_path, steps=6, checkpoint_every=2), quiet=True)
    message = str(stopped.value)
    assert "training stopped at step 4: could not write" in message and "step_000004.pt" in message
    assert "ganlip train --resume" in message and "\n" not in message
    checkpoints = tmp_path / "run" / "checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["last.pt", "step_000002.pt"]  # no .tmp left
    assert load_checkpoint(checkpoints / "last.pt")["step"] == 2


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (a real file system that fills up), or a skip where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if (
        shutil.which("mount") is None
        or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True).returncode
    ):
        pytest.skip("mounting a tmpfs needs root")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_mid_checkpoint_is_one_line_and_loses_nothing(small_disk):
    run_dir = small_disk / "run"
    train(tiny_config(small_disk, steps=2, checkpoint_every=2, sample_every=100, out=str(run_dir)), quiet=True)
    size = (run_dir / "checkpoints" / "last.pt").stat().st_size
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(bytes(max(free - size // 2, 0)))  # room for logs, not for a checkpoint
    resumed = subprocess.run(
        [sys.executable, "-m", "ganlip", "train", "--resume", str(run_dir), "--steps", "4", "--quiet"],
        capture_output=True,
        text=True,
    )
    message = resumed.stderr.strip()
    assert resumed.returncode == 4 and "\n" not in message, resumed.stderr  # a storage error
    assert "could not write" in message and "the disk is full" in message and "MB are free" in message
    assert not list((run_dir / "checkpoints").glob(".*"))  # the half-written temporary file is gone
    assert load_checkpoint(run_dir / "checkpoints" / "last.pt")["step"] == 2
