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
