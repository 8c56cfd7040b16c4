import errno
import os

import pytest
import torch

from ganlip.checkpoint import load_checkpoint, save_checkpoint
from ganlip.errors import GanlipError


def test_last_is_a_hard_link_to_the_newest_step(tmp_path):
    first = save_checkpoint({"x": torch.arange(3)}, tmp_path, step=1)
    assert (tmp_path / "last.pt").stat().st_ino == first.stat().st_ino
    second = save_checkpoint({"x": torch.arange(4)}, tmp_path, step=2)
    assert (tmp_path / "last.pt").stat().st_ino == second.stat().st_ino
    assert torch.equal(load_checkpoint(tmp_path / "last.pt")["x"], torch.arange(4))


def test_last_is_a_copy_where_hard_links_fail(tmp_path, monkeypatch):
    def refuse(*_):
        raise OSError(errno.EPERM, "hard links not supported here")

    monkeypatch.setattr(os, "link", refuse)
    save_checkpoint({"x": torch.arange(3)}, tmp_path, step=1)
    second = save_checkpoint({"x": torch.arange(4)}, tmp_path, step=2)
    last = tmp_path / "last.pt"
    assert last.read_bytes() == second.read_bytes() and last.stat().st_ino != second.stat().st_ino
    assert load_checkpoint(last)["step"] == 2 and torch.equal(load_checkpoint(last)["x"], torch.arange(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt", "step_000001.pt", "step_000002.pt"]


def test_a_missing_checkpoint_says_so(tmp_path):
    with pytest.raises(GanlipError, match=r"checkpoint .*none\.pt does not exist; check the path"):
        load_checkpoint(tmp_path / "none.pt")


def test_a_torn_log_line_is_dropped_on_resume_and_the_run_continues(tmp_path, capsys):
    from ganlip.jsonlines import read_json_lines
    from ganlip.train import train
    from tests.conftest import tiny_config

    run_dir = train(tiny_config(tmp_path, steps=4), quiet=True)
    with open(run_dir / "metrics.jsonl", "ab") as log:
        log.write(b'{"step": 5, "loss/cri')  # a kill in mid-write
    train(tiny_config(tmp_path), resume=run_dir, changes={"steps": 6}, quiet=True)
    assert "its last line was cut short" in capsys.readouterr().out
    assert [line["step"] for line in read_json_lines(run_dir / "metrics.jsonl")] == [2, 4, 6]


def test_an_unreadable_last_checkpoint_falls_back_to_the_newest_readable_one(tmp_path, capsys):
    from ganlip.train import train
    from tests.conftest import tiny_config

    straight = train(tiny_config(tmp_path / "straight", steps=6), quiet=True)
    run_dir = train(tiny_config(tmp_path, steps=4), quiet=True)
    last = run_dir / "checkpoints" / "last.pt"
    data = last.read_bytes()
    last.unlink()  # cut in half (a new file: step_000004.pt, its hard link, is cut too below)
    last.write_bytes(data[: len(data) // 2])
    (run_dir / "checkpoints" / "step_000004.pt").write_bytes(data[: len(data) // 2])
    train(tiny_config(tmp_path), resume=run_dir, changes={"steps": 6}, quiet=True)
    said = capsys.readouterr().out
    assert "last.pt cannot be read, so the run resumes from step_000002.pt (step 2)" in said
    assert "training again the 2 step(s) logged after it" in said
    ours, reference = (
        load_checkpoint(run_dir / "checkpoints" / "last.pt"),
        load_checkpoint(straight / "checkpoints" / "last.pt"),
    )
    assert all(torch.equal(ours["critic"][k], reference["critic"][k]) for k in reference["critic"])


def test_when_no_checkpoint_can_be_read_resume_refuses(tmp_path):
    from ganlip.resume import prepare
    from ganlip.train import train
    from tests.conftest import tiny_config

    run_dir = train(tiny_config(tmp_path, steps=4), quiet=True)
    for path in (run_dir / "checkpoints").glob("*.pt"):
        path.unlink()
        path.write_bytes(b"torn")
    with pytest.raises(GanlipError, match=r"no checkpoint of .* can be read \(2 step_NNNNNN.pt besides last.pt\)"):
        prepare(tiny_config(tmp_path), resume=run_dir)
