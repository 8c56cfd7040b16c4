"""The HTML report in a real browser: headless Chromium loads it, and every figure must decode."""

import os
import re
import shutil
import subprocess

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
    "--virtual-time-budget=10000",
    "--dump-dom",
]


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("GANLIP_REQUIRE_BROWSER"):
            pytest.fail("GANLIP_REQUIRE_BROWSER is set but no Chromium is installed (apt-get install chromium).")
        pytest.skip("no Chromium here (apt-get install chromium); CI installs it and runs this test")
    return found


def rendered_body(page, tmp_path) -> dict[str, str]:
    """The <body> attributes after the page's load event, as the browser's DOM has them."""
    dom = subprocess.run(
        [browser(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body, f"the browser returned no page: {dom[:500]}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))


def test_every_figure_of_the_report_loads_in_chromium(toy_comparison, tmp_path):
    out = toy_comparison[0]
    figures = len(re.findall(r"<img ", (out / "report.html").read_text()))
    attributes = rendered_body(out / "report.html", tmp_path)
    assert attributes["data-images-broken"] == "0"
    assert attributes["data-images-loaded"] == str(figures) == "4"


def test_a_missing_figure_is_reported_broken(toy_comparison, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(toy_comparison[0], copy, ignore=shutil.ignore_patterns("toy"))
    next((copy / "figures").glob("*_samples.png")).unlink()
    attributes = rendered_body(copy / "report.html", tmp_path)
    assert attributes["data-images-broken"] == "1"
    assert attributes["data-images-loaded"] == "3"
