"""Soak test of resumption: kill a training run with SIGKILL, resume it each time, and show that it ends with
exactly the weights of an uninterrupted run, that no kill left an unreadable last.pt, and that metrics.jsonl
holds every logged step once, in order. Every other kill lands at a random moment; the others inside a write,
the moment a temporary checkpoint file appears (an atomic write caught half-done).

    python scripts/soak.py                 # 20 kills of a 2000-step run on the CPU
    python scripts/soak.py --kills 3 --steps 150
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from ganlip.checkpoint import load_checkpoint
from ganlip.jsonlines import read_json_lines

RUN = [
    "--data",
    "8gaussians",
    "--constraint",
    "sn+gp",
    "--n-critic",
    "2",
    "--batch-size",
    "64",
    "--quiet",
    "--set",
    "width=32",
    "--set",
    "checkpoint_every=5",
    "--set",
    "log_every=5",
    "--set",
    "sample_every=100000",
    "--set",
    "measure_every=100000",
    "--set",
    "keep_checkpoints=2",
    "--device",
    "cpu",
]


def ganlip(*args: str) -> list[str]:
    return [sys.executable, "-m", "ganlip", "train", *args]


def identical(first: Path, second: Path) -> bool:
    a, b = load_checkpoint(first), load_checkpoint(second)
    return a["step"] == b["step"] and all(
        torch.equal(a[part][key], b[part][key]) for part in ("generator", "critic") for key in a[part]
    )


def soak(kills: int, steps: int, seed: int, folder: Path) -> bool:
    rng = random.Random(seed)
    reference, soaked = folder / "reference", folder / "soaked"
    subprocess.run(ganlip(*RUN, "--steps", str(steps), "--out", str(reference)), check=True)
    last = soaked / "checkpoints" / "last.pt"

    def step_saved() -> int:
        return load_checkpoint(last)["step"] if last.exists() else 0  # raises if a kill tore the file

    def command() -> list[str]:
        if last.exists():
            return ganlip("--resume", str(soaked), "--steps", str(steps), "--quiet")
        return ganlip(*RUN, "--steps", str(steps), "--out", str(soaked))

    done, lives, in_writes = 0, 0, 0
    while done < kills:
        before = step_saved()
        process = subprocess.Popen(command(), stderr=subprocess.DEVNULL)
        lives += 1
        while process.poll() is None and step_saved() <= before:  # wait until this life is training
            time.sleep(0.05)
        if done % 2:  # inside a write: the moment a temporary file is there, half-written
            caught = wait_for_temporary_file(soaked, process, timeout=10.0)
            in_writes += caught
        else:
            time.sleep(rng.uniform(0.0, 0.5))  # at a random moment, mid-write or not
        if process.poll() is not None:
            break  # it finished before this kill: the run was too short for the kills asked for
        process.send_signal(signal.SIGKILL)
        process.wait()
        done += 1
        print(f"kill {done:2d}: last.pt readable, at step {step_saved()}")
    if done < kills:
        print(f"the run finished after {done} kills; ask for more --steps")
        return False
    subprocess.run(command(), check=True)
    same = identical(reference / "checkpoints" / "last.pt", soaked / "checkpoints" / "last.pt")
    logged = [line["step"] for line in read_json_lines(soaked / "metrics.jsonl")]
    expected = [line["step"] for line in read_json_lines(reference / "metrics.jsonl")]
    complete = logged == expected
    print(f"{done} kills over {lives} starts, {in_writes} of them inside a checkpoint write")
    print(f"metrics.jsonl holds every logged step once, in order: {complete}")
    print(f"final weights identical to the uninterrupted run: {same}")
    return same and complete


def wait_for_temporary_file(run_dir: Path, process: subprocess.Popen, timeout: float) -> bool:
    """Poll (without sleeping) until a temporary file of an atomic write exists in the run directory; True when
    one was caught before `timeout` seconds or the process's end."""
    checkpoints, deadline = run_dir / "checkpoints", time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if any(checkpoints.glob(".*.tmp")):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sys.exit(0 if soak(args.kills, args.steps, args.seed, Path(folder)) else 1)


if __name__ == "__main__":
    main()
