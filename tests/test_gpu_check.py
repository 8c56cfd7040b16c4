"""scripts/gpu_check.sh: its dry run takes every step of the GPU check, tiny and on the CPU, and gathers the
figures into one JSON file and a summary."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from ganlip.data.mnist import DEBIAN_FASHION_MNIST

SCRIPT = Path(__file__).parent.parent / "scripts" / "gpu_check.sh"


@pytest.mark.slow
@pytest.mark.skipif(
    not DEBIAN_FASHION_MNIST.exists() and not os.environ.get("GANLIP_REQUIRE_FASHION_MNIST"),
    reason="its comparison step trains on Fashion-MNIST (apt-get install dataset-fashion-mnist); CI requires it",
)
def test_the_dry_run_takes_every_step_and_gathers_the_figures(tmp_path):
    finished = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    figures = json.loads((tmp_path / "gpu_check.json").read_text())
    assert figures["cuda_tests"]["tests"] > 0 and figures["cuda_tests"]["failures"] == 0
    assert set(figures["step_time"]) == {"step_time_dcgan32_off", "step_time_dcgan32_bf16"}
    assert all(row["seconds"] > 0 for rows in figures["step_time"].values() for row in rows)
    runs = {row["run"] for row in figures["fashion"]}
    assert runs == {f"fashion-mnist/{name}/seed0" for name in ("clip", "gp", "lp", "sn", "fn")}
    assert all("fd/fashion-cnn" in row for row in figures["fashion"])
    assert "cuda tests:" in (tmp_path / "summary.txt").read_text()
