"""The papers' recipes, shipped inside the package (`configs/` in a checkout is this folder): training configs
(`ganlip train --config NAME`) and comparison files (`ganlip compare --config NAME`), each citing its source in
its leading comment."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from ganlip.errors import GanlipError, unknown_name

SUFFIX = ".yaml"


@dataclass(frozen=True)
class Recipe:
    name: str
    path: Path
    kind: str  # "train" or "compare" (a file with a `compare:` block or `parts:`)
    summary: str  # the leading comment's opening: what it is and whose


def _folder() -> Path:
    return Path(str(resources.files(__name__)))


def available_recipes() -> list[str]:
    return sorted(path.stem for path in _folder().glob(f"*{SUFFIX}"))


def recipe(name: str) -> Recipe:
    path = _folder() / f"{name.removesuffix(SUFFIX)}{SUFFIX}"
    if not path.is_file():
        raise unknown_name("recipe", name, available_recipes())
    text = path.read_text()
    values = yaml.safe_load(text) or {}
    kind = "compare" if "compare" in values or "parts" in values else "train"
    return Recipe(path.stem, path, kind, _summary(text))


def locate(given: str | Path) -> Path:
    """A config file's path: `given` where it is a file, else the bundled recipe of that name (`celeba64_sngan` or
    `celeba64_sngan.yaml`); neither is an error that lists the recipes."""
    path = Path(given)
    if path.is_file() or len(path.parts) > 1:
        return path  # a path the user wrote: its own errors (missing file) come from reading it
    if path.stem not in available_recipes():
        error = unknown_name("recipe", str(given), available_recipes())
        raise GanlipError(f"no config file '{given}' here, and {str(error)[0].lower()}{str(error)[1:]}")
    return recipe(str(given)).path


def _summary(text: str, width: int = 100) -> str:
    """The leading comment up to its first colon (where the recipes name their source), at most `width` long."""
    comment = " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#"))
    first = comment.split(": ")[0].rstrip(".")
    return first if len(first) <= width else first[: first.rfind(" ", 0, width - 1)] + " …"
