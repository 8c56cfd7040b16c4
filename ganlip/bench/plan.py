"""What `ganlip bench w1` trains: one critic-only run per strategy, pair and seed, each in a directory of its own,
and which of them are complete, unfinished or still to start."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ganlip.atomic import write_text
from ganlip.bench.critic_run import RESULT, CriticRun
from ganlip.bench.funnels import check_published, check_size
from ganlip.checkpoint import resumable
from ganlip.config import path_safe
from ganlip.constraints.base import build, strategy_class, with_recipe_params
from ganlip.errors import GanlipError
from ganlip.jsonlines import read_json

# The paper's settings for the critics it ran (its notebook test_nd.ipynb): clipping bound 0.04, penalty weights
# 10, five power iterations, and the iteration counts. Strategies it did not run get DEFAULT_ITERATIONS.
PAPER_PARAMS = {"clip": (("c", 0.04),), "gp": (("weight", 10.0),), "lp": (("weight", 10.0),), "sn": (("n_iter", 5),)}
PAPER_ITERATIONS = {"clip": 5000, "gp": 60000, "lp": 60000, "sn": 10000, "bjorck": 25000, "ctransform": 25000}
DEFAULT_ITERATIONS = 10000  # the paper's SN-GAN count, for strategies the paper did not run


@dataclass
class BenchRun:
    """A planned run, where it lives, and how far it got."""

    settings: CriticRun
    run_dir: Path
    where: str  # "[3/24] gp dim 16 funnels 4 seed 0", for messages
    done: int = 0  # iterations checkpointed
    strategy: str = ""  # the spec as the user named it, for the report

    @property
    def total(self) -> int:
        return self.settings.iterations

    @property
    def device(self) -> str:
        return self.settings.device

    @property
    def log(self) -> Path:
        return self.run_dir / "train.log"

    def command(self) -> list[str]:
        """The command that trains it in a process of its own."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        planned = self.run_dir / "planned.json"
        write_text(planned, _json(self.settings.to_dict()))
        return [sys.executable, "-m", "ganlip", "bench", "critic", str(planned), str(self.run_dir)]

    @property
    def complete(self) -> bool:
        return (self.run_dir / RESULT).is_file()


def every_strategy() -> list[str]:
    """Every registered strategy, and sn+gp."""
    from ganlip.constraints.base import available

    return [*available(), "sn+gp"]


def paper_spec(spec: str) -> str:
    """The spec with the paper's parameters filled in where it leaves them out (`gp` reads `gp:weight=10.0`)."""
    return with_recipe_params(spec, "points", lambda strategy: PAPER_PARAMS.get(strategy.name, ()))


def iterations_for(spec: str) -> int:
    """The paper's count for its strategies (the largest of a composite's parts), else DEFAULT_ITERATIONS."""
    counts = [PAPER_ITERATIONS.get(part.name, DEFAULT_ITERATIONS) for part in build(spec).parts]
    return max(counts)


def activation_for(spec: str) -> str:
    return build(spec).critic_activation or "relu"


def check_grid(dims: list[int], funnels: list[int], pair_seed: int | None) -> None:
    for dim in dims:
        for count in funnels:
            check_size(dim, count)
    if pair_seed is None:
        for dim in dims:
            for count in funnels:
                check_published(dim, count)


def plan(
    out: Path,
    constraints: list[str],
    dims: list[int],
    funnels: list[int],
    seeds: int,
    iterations: int | None = None,
    patience: int = 0,
    pair_seed: int | None = None,
    device: str = "auto",
    evaluate_every: int = 250,
) -> list[BenchRun]:
    for spec in constraints:
        for part in spec.split("+"):
            strategy_class(part.partition(":")[0].strip())  # an unknown name stops here, naming the valid ones
    check_grid(dims, funnels, pair_seed)
    if seeds < 1:
        raise GanlipError(f"--seeds must be at least 1, got {seeds}.")
    runs = []
    grid = [
        (spec, dim, count, seed) for spec in constraints for dim in dims for count in funnels for seed in range(seeds)
    ]
    for index, (spec, dim, count, seed) in enumerate(grid, 1):
        resolved = paper_spec(spec)
        settings = CriticRun(
            constraint=resolved,
            dim=dim,
            funnels=count,
            seed=seed,
            iterations=iterations or iterations_for(resolved),
            activation=activation_for(resolved),
            pair_seed=pair_seed,
            evaluate_every=evaluate_every,
            patience=patience,
            device=device,
        )
        run_dir = out / "runs" / path_safe(spec) / f"dim_{dim}_funnels_{count}" / f"seed_{seed}"
        where = f"[{index}/{len(grid)}] {spec} dim {dim} funnels {count} seed {seed}"
        runs.append(BenchRun(settings, run_dir, where, strategy=spec))
    return runs


def check_progress(run: BenchRun) -> None:
    """Fill in how far a run on disk got, after checking it was started with the same settings."""
    saved_settings = run.run_dir / "settings.json"
    if not saved_settings.is_file():
        return
    saved = read_json(saved_settings)
    planned = run.settings.to_dict()
    differing = sorted(key for key in planned if saved.get(key) != planned[key])
    if differing:
        shown = ", ".join(f"{key}: {saved.get(key)!r} there, {planned[key]!r} now" for key in differing)
        raise GanlipError(f"{run.run_dir} holds a run with other settings ({shown}); use another --out.")
    if run.complete:
        run.done = read_json(run.run_dir / RESULT)["iterations"]
    elif (run.run_dir / "checkpoints").is_dir():
        run.done = resumable(run.run_dir)[0]["progress"]["iteration"]


def _json(value) -> str:
    import json

    return json.dumps(value, indent=1) + "\n"
