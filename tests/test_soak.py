"""scripts/soak.py: SIGKILL at random moments, resume, identical final weights."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "soak.py"


@pytest.mark.slow
def test_two_kills_resume_to_identical_weights():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--kills", "2", "--steps", "400"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "final weights identical to the uninterrupted run: True" in result.stdout


@pytest.mark.slow
def test_twenty_kills_resume_to_identical_weights():
    result = subprocess.run([sys.executable, str(SCRIPT), "--kills", "20"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
