"""SIGINT and SIGTERM save a checkpoint and exit with a message saying how to resume."""

import signal
import subprocess
import sys
import time

import pytest

from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config
from ganlip.interrupts import StopRequests
from ganlip.train import train


@pytest.mark.parametrize(("signal_number", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_saves_and_says_how_to_resume(tmp_path, signal_number, exit_code):
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "ganlip",
        "train",
        "--data",
        "8gaussians",
        "--steps",
        "100000",
        "--out",
        str(out),
        "--quiet",
        "--set",
        "width=16",
        "--set",
        "checkpoint_every=20",
        "--set",
        "log_every=20",
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "checkpoints" / "last.pt").exists():  # training has started
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    process.send_signal(signal_number)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == exit_code
    assert f"stopped by {signal_number.name}" in stderr and f"ganlip train --resume {out}" in stderr
    assert "Traceback" not in stderr
    step = load_checkpoint(out)["step"]
    assert f"after step {step};" in stderr  # the checkpoint holds the step the message names
    assert train(Config(), resume=out, changes={"steps": step + 2}, quiet=True) == out
    assert load_checkpoint(out)["step"] == step + 2


def test_a_second_signal_interrupts_at_once_and_the_handlers_are_restored():
    before = signal.getsignal(signal.SIGINT)
    with StopRequests() as stop:
        signal.raise_signal(signal.SIGTERM)
        assert stop.received is signal.SIGTERM  # the first is only recorded
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
