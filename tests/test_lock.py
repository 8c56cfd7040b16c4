"""One writer per run directory, in real processes: a second `ganlip train` or `ganlip compare` into a directory
another process is writing stops at once with one line naming that process; a killed holder leaves no lock."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from ganlip.errors import GanlipError
from ganlip.jsonlines import read_json_lines
from ganlip.lock import LOCK_FILE, DirectoryLock

TRAIN = ["--data", "8gaussians", "--set", "width=16", "--set", "log_every=10", "--set", "checkpoint_every=50"]
TRAIN += ["--set", "measure_every=100000", "--set", "sample_every=100000", "--device", "cpu", "--quiet"]


def ganlip(*arguments) -> list[str]:
    return [sys.executable, "-m", "ganlip", *map(str, arguments)]


@pytest.fixture
def processes():
    """Processes a test starts, killed at its end whatever happened (a failed assertion leaves none running)."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def holder_of(directory, process: subprocess.Popen, timeout: float = 60) -> dict:
    """Wait until `process` holds the directory's lock and has written itself into it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            holder = json.loads((directory / LOCK_FILE).read_text())
            if holder["pid"] == process.pid:
                return holder
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"process {process.pid} never took the lock of {directory}")


@pytest.mark.slow
def test_a_second_train_into_the_same_directory_is_refused_and_the_first_run_is_intact(tmp_path, processes):
    out = tmp_path / "run"
    first = subprocess.Popen(ganlip("train", *TRAIN, "--steps", 100000, "--out", out), stderr=subprocess.DEVNULL)
    processes.append(first)
    holder = holder_of(out, first)
    assert holder["what"] == "ganlip train" and holder["host"]
    second = subprocess.run(ganlip("train", *TRAIN, "--steps", 100000, "--out", out), capture_output=True, text=True)
    assert second.returncode == 2
    message = second.stderr.strip()
    assert "\n" not in message and str(out) in message and f"pid {first.pid}" in message, message
    assert first.poll() is None  # untouched by the refused one
    first.send_signal(signal.SIGTERM)  # it checkpoints and stops
    assert first.wait(timeout=120) == 128 + signal.SIGTERM
    steps = [line["step"] for line in read_json_lines(out / "metrics.jsonl")]
    assert steps and steps == list(range(10, steps[-1] + 1, 10))  # the first run's log alone: whole, in order


def test_a_killed_writer_leaves_no_stale_lock(tmp_path, processes):
    out = tmp_path / "run"
    first = subprocess.Popen(ganlip("train", *TRAIN, "--steps", 100000, "--out", out), stderr=subprocess.DEVNULL)
    processes.append(first)
    holder_of(out, first)
    with pytest.raises(GanlipError, match=rf"{out} is being written by ganlip train \(pid {first.pid} on "):
        DirectoryLock(out).__enter__()
    first.send_signal(signal.SIGKILL)
    first.wait()
    with DirectoryLock(out, "test"):  # the OS released it with the process
        assert json.loads((out / LOCK_FILE).read_text())["pid"] == os.getpid()


@pytest.mark.slow  # a whole comparison process beside the one refused: 13 s
def test_a_second_comparison_into_the_same_directory_is_refused(tmp_path, processes):
    config = tmp_path / "toy.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "compare": {"name": "toy", "constraints": ["sn"], "seeds": 1, "steps": 400},
                "data": "8gaussians",
                "width": 16,
                "log_every": 50,
                "measure_every": 100000,
                "sample_every": 100000,
                "device": "cpu",
            }
        )
    )
    out = tmp_path / "out"
    first = subprocess.Popen(ganlip("compare", "--config", config, "--out", out, "--quiet"), stdout=subprocess.DEVNULL)
    processes.append(first)
    holder_of(out, first)
    second = subprocess.run(
        ganlip("compare", "--config", config, "--out", out, "--quiet"), capture_output=True, text=True
    )
    assert second.returncode == 2 and f"{out} is being written by ganlip compare (pid {first.pid}" in second.stderr
    first.send_signal(signal.SIGTERM)  # it checkpoints and stops
    first.wait(timeout=120)
