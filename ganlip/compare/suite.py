"""What a comparison trains: parts (one data set and architecture each), each with its strategies and seeds.

A comparison file is a training config with a `compare:` block, or a suite with a `parts:` list of them:

    compare: {name: fashion32, constraints: [clip, gp, lp, sn, fn], seeds: 2, steps: 400}
    data: fashion-mnist
    ...

Every strategy of a part trains on the same data, architecture, step budget and seeds; optimizer settings the
config leaves out come from each strategy's paper, as `ganlip train` would choose them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ganlip import config as config_module
from ganlip.config import Config, path_safe
from ganlip.constraints import build
from ganlip.errors import GanlipError

DEFAULT_SUITE = "default_suite.yaml"
DEFAULT_CONSTRAINTS = ("clip", "gp", "lp", "sn", "fn")
COMPARE_KEYS = ("name", "constraints", "seeds", "steps", "notes")


@dataclass(frozen=True)
class Part:
    name: str
    config: dict[str, Any]  # training config keys shared by the part's runs
    constraints: tuple[str, ...]
    seeds: int = 1
    notes: tuple[str, ...] = ()  # where the part departs from the sources' recipes, said in the report


@dataclass(frozen=True)
class PlannedRun:
    part: str
    constraint: str
    seed: int
    config: Config

    @property
    def run_dir(self) -> Path:
        return Path(self.config.out or ".")


def load_suite(path: str | Path | None) -> list[Part]:
    """The parts of a comparison file (see the module's docstring); None: the built-in CPU suite."""
    if path is None:
        with resources.as_file(resources.files("ganlip.compare") / DEFAULT_SUITE) as default:
            return load_suite(default)
    values = config_module.read_mapping(path)
    if "parts" in values:
        if set(values) != {"parts"} or not isinstance(values["parts"], list) or not values["parts"]:
            raise GanlipError(f"{path}: a suite holds only `parts:`, a list of comparison configs.")
        return [_part(entry, f"{path}, part {i + 1}") for i, entry in enumerate(values["parts"])]
    return [_part(values, str(path), default_name=Path(path).stem)]


def _part(values: Any, where: str, default_name: str = "comparison") -> Part:
    if not isinstance(values, dict):
        raise GanlipError(f"{where}: expected a mapping of config keys, got {type(values).__name__}.")
    settings = dict(values.get("compare") or {})
    unknown = sorted(set(settings) - set(COMPARE_KEYS))
    if unknown:
        raise GanlipError(f"{where}: unknown compare key(s) {', '.join(unknown)}; valid: {', '.join(COMPARE_KEYS)}.")
    config = {key: value for key, value in values.items() if key != "compare"}
    if "steps" in settings:
        config["steps"] = settings["steps"]
    config_module.from_dict(config)  # the config's own errors, before anything trains
    return Part(
        name=str(settings.get("name", default_name)),
        config=config,
        constraints=parse_constraints(settings.get("constraints", DEFAULT_CONSTRAINTS)),
        seeds=_positive(settings.get("seeds", 1), "seeds", where),
        notes=tuple(str(note) for note in settings.get("notes") or ()),
    )


def parse_constraints(value: str | list | tuple) -> tuple[str, ...]:
    """`clip,gp,sn+gp` or a list of specs; every spec is checked now, so a typo fails before any training."""
    specs = [s.strip() for s in value.split(",")] if isinstance(value, str) else [str(s).strip() for s in value]
    specs = [s for s in specs if s]
    if not specs:
        raise GanlipError("no constraints to compare; pass e.g. --constraints clip,gp,lp,sn,fn.")
    duplicates = sorted({s for s in specs if specs.count(s) > 1})
    if duplicates:
        raise GanlipError(f"--constraints names {', '.join(duplicates)} more than once; list each strategy once.")
    for spec in specs:
        build(spec)
    return tuple(specs)


def _positive(value: Any, name: str, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise GanlipError(f"{where}: {name} must be a positive whole number, got {value!r}.")
    return value


def on_data(parts: list[Part] | None, data: str) -> list[Part]:
    """A one-part comparison on `data`, named after it: the one part of `parts` moved to that data set, or,
    without a comparison file, every core strategy at the training defaults."""
    if parts is None:
        parts = [Part(name=data, config={}, constraints=DEFAULT_CONSTRAINTS)]
    if len(parts) > 1:
        raise GanlipError(
            f"--data {data} cannot apply to a suite of {len(parts)} parts ({', '.join(p.name for p in parts)}); "
            f"use a comparison file of one part, or --data alone for the core strategies on {data}."
        )
    (part,) = parts
    return [Part(data, {**part.config, "data": data}, part.constraints, part.seeds, part.notes)]


def override(
    parts: list[Part],
    constraints: str | None = None,
    seeds: int | None = None,
    steps: int | None = None,
    changes: dict[str, Any] | None = None,
) -> list[Part]:
    """The parts with the command line's choices applied to every one of them. Changing the data set of a
    part would make its name lie: `--set data=...` is refused (the command's `--data` renames the part)."""
    if changes and "data" in changes:
        raise GanlipError(
            f"--set data={changes['data']} would train every part ({', '.join(p.name for p in parts)}) on "
            f"{changes['data']} under its old name; use --data {changes['data']} for a comparison on it."
        )
    changed = []
    for part in parts:
        config = {**part.config, **(changes or {}), **({"steps": steps} if steps is not None else {})}
        config_module.from_dict(config)
        changed.append(
            Part(
                name=part.name,
                config=config,
                constraints=parse_constraints(constraints) if constraints else part.constraints,
                seeds=_positive(seeds, "--seeds", "the command line") if seeds is not None else part.seeds,
                notes=part.notes,
            )
        )
    names = [part.name for part in changed]
    if len(set(names)) != len(names):
        raise GanlipError(f"part names must differ, got {', '.join(names)}; give each part its own `name`.")
    return changed


def plan(parts: list[Part], out: Path) -> list[PlannedRun]:
    """Every run of the comparison, in the order it trains: part, then seed, then strategy (so that an
    interrupted comparison has a first seed of every strategy before a second of any)."""
    return [
        PlannedRun(
            part.name,
            constraint,
            seed,
            config_module.from_dict(
                {
                    **part.config,
                    "constraint": constraint,
                    "seed": seed,
                    "out": str(out / path_safe(part.name) / path_safe(constraint) / f"seed{seed}"),
                }
            ),
        )
        for part in parts
        for seed in range(part.seeds)
        for constraint in part.constraints
    ]
