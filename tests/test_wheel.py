"""The package as users install it: a wheel, in an environment of its own, away from a checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_a_built_wheel_trains_a_bundled_recipe_by_name_in_a_fresh_environment(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path, ROOT],
        check=True,
    )
    wheel = next(tmp_path.glob("ganlip-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    assert {f"ganlip/recipes/{path.name}" for path in (ROOT / "ganlip" / "recipes").glob("*.yaml")} <= shipped
    # torch and the other dependencies come from this interpreter's site-packages; ganlip only from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", tmp_path / "env"], check=True)
    python, ganlip = tmp_path / "env" / "bin" / "python", tmp_path / "env" / "bin" / "ganlip"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], check=True)
    away = tmp_path / "elsewhere"  # no configs/ folder in sight
    away.mkdir()
    found = subprocess.run(
        [python, "-c", "import ganlip; print(ganlip.__file__)"], cwd=away, check=True, capture_output=True, text=True
    )
    assert found.stdout.startswith(str(tmp_path / "env"))
    listed = subprocess.run([ganlip, "recipes"], cwd=away, check=True, capture_output=True, text=True).stdout
    assert "toy_8gaussians_gp" in listed and "celeba64_sngan" in listed
    subprocess.run(
        [ganlip, "train", "--config", "toy_8gaussians_gp", "--steps", "3", "--out", "run", "--quiet"],
        cwd=away,
        check=True,
    )
    assert (away / "run" / "checkpoints" / "last.pt").is_file()
    assert "constraint: gp:weight=0.1" in (away / "run" / "config.yaml").read_text()  # the recipe, read by name
