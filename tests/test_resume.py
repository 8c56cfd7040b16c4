"""The resume policy: what a run directory may be continued with."""

import pytest

from ganlip import resume
from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config
from ganlip.constraints import build
from ganlip.errors import GanlipError
from ganlip.train import train
from tests.conftest import tiny_config


def test_an_existing_run_is_not_overwritten(tmp_path):
    config = tiny_config(tmp_path, "8gaussians", steps=2)
    train(config, quiet=True)
    with pytest.raises(GanlipError, match="--resume"):
        train(config, quiet=True)


def test_resume_refuses_changes_that_break_the_run(tmp_path):
    run_dir = train(tiny_config(tmp_path, "8gaussians", steps=2), quiet=True)
    with pytest.raises(GanlipError, match="cannot change width"):
        train(Config(), resume=run_dir, changes={"width": 32}, quiet=True)


def test_a_run_written_before_r1s_and_dragans_defaults_changed_resumes_with_its_own(tmp_path):

    from ganlip.checkpoint import save_checkpoint

    run_dir = train(tiny_config(tmp_path, constraint="r1+dragan", steps=2, loss="wasserstein", n_critic=2), quiet=True)
    state = load_checkpoint(run_dir / "checkpoints" / "last.pt")
    old = {key: value for key, value in state["config"].items() if key != "critic_schedule"}
    old["constraint"] = "r1+dragan"  # as such a run wrote it
    save_checkpoint({**state, "config": old}, run_dir / "checkpoints", 2)
    config, _ = resume.prepare(tiny_config(tmp_path), resume=run_dir)
    parts = build(config.constraint).parts
    assert (parts[0].gamma, parts[1].interpolate) == (10.0, False)
