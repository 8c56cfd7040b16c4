"""One critic-only run of the Wasserstein-1 benchmark: a strategy's critic trained on one pair, no generator, then
measured against the pair's known optimal potential. The critic update is `ganlip train`'s own
(`ganlip.critic_update.update_critic`): the same loss, penalties, reparametrizations, projection and caching."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ganlip import peak_memory
from ganlip.atomic import write_text
from ganlip.bench.funnels import FunnelPair, published_pair, seeded_pair
from ganlip.checkpoint import resumable, save_checkpoint
from ganlip.constraints.base import Constraint, build
from ganlip.critic_update import update_critic
from ganlip.devices import select_device
from ganlip.errors import GanlipError
from ganlip.jsonlines import read_json
from ganlip.layers import evaluation
from ganlip.losses import WassersteinLoss
from ganlip.models import build_critic
from ganlip.models.activations import GroupSort, ReLU

RESULT = "result.json"
EVALUATION_SAMPLES = 2**12  # the paper's METRIC_SIZE
TRUE_W1_SAMPLES = 2**16
SURFACE_POINTS = 41  # per side of the D = 2 surface grid


@dataclass(frozen=True)
class CriticRun:
    """What one run trains: a strategy spec (its parameters filled in), a pair, a seed and the paper's protocol
    (batch 1,024, Adam 2e-4 with betas (0, 0.9)). `pair_seed` None is the paper's published pair of that size,
    else a new pair drawn with that seed. `patience` > 0 stops early once the cosine on the held-out batch has
    not risen by more than `tolerance` for that many evaluations in a row (the convergence rule)."""

    constraint: str
    dim: int
    funnels: int
    seed: int
    iterations: int
    activation: str = "relu"
    pair_seed: int | None = None
    batch_size: int = 1024
    lr: float = 2e-4
    betas: tuple[float, float] = (0.0, 0.9)
    evaluate_every: int = 250
    patience: int = 0
    tolerance: float = 0.005
    device: str = "auto"

    def pair(self) -> FunnelPair:
        if self.pair_seed is None:
            return published_pair(self.dim, self.funnels)
        return seeded_pair(self.dim, self.funnels, self.pair_seed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"betas": list(self.betas)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> CriticRun:
        return cls(**(values | {"betas": tuple(values["betas"])}))


def hidden_width(dim: int) -> int:
    return max(2 * dim, 128)


def benchmark_critic(dim: int, activation: str) -> nn.Sequential:
    """The paper's critic: an MLP `[D, max(2D, 128), max(2D, 128), 1]`, PyTorch's default initialization."""
    width = hidden_width(dim)
    make = {"relu": ReLU, "groupsort": GroupSort}
    if activation not in make:
        raise GanlipError(f"the benchmark critic's activation must be relu or groupsort, got '{activation}'.")
    return nn.Sequential(
        nn.Linear(dim, width), make[activation](), nn.Linear(width, width), make[activation](), nn.Linear(width, 1)
    )


def critic_for(constraint: Constraint, dim: int, activation: str) -> nn.Module:
    """The paper's critic, or the strategy's own family (sll, cpl) at the paper's width: 2 residual blocks of
    `max(2D, 128)` features for its 2 hidden layers."""
    if constraint.critic is not None:
        return build_critic(constraint.critic, (dim,), width=hidden_width(dim))
    return benchmark_critic(dim, activation)


@dataclass
class Measured:
    w1_estimate: float
    cosine: float
    l2: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def input_gradients(critic: nn.Module, points: Tensor) -> tuple[Tensor, Tensor]:
    points = points.detach().requires_grad_(True)
    values = critic(points).reshape(-1)
    (gradient,) = torch.autograd.grad(values.sum(), points)
    return values.detach(), gradient


def measure(critic: nn.Module, pair: FunnelPair, inputs: Tensor, targets: Tensor) -> Measured:
    """The paper's three metrics: the W1 estimate `E_P[D] − E_Q[D]` on independent samples of P and Q, and at
    the input samples the mean cosine and mean squared L2 gap between ∇D and the optimal `−∇f`."""
    with evaluation(critic):
        scores, gradient = input_gradients(critic, inputs)
        with torch.no_grad():
            target_scores = critic(targets).reshape(-1)
    optimal = pair.transport_gradient(inputs)
    cosine = (gradient * optimal).sum(1) / (gradient.norm(dim=1) * optimal.norm(dim=1) + 1e-15)
    return Measured(
        (scores.mean() - target_scores.mean()).item(),
        cosine.mean().item(),
        (gradient - optimal).norm(dim=1).square().mean().item(),
    )


def surface(critic: nn.Module, pair: FunnelPair) -> dict[str, list]:
    """For D = 2: the critic and the true `−f` on a grid over the cube, each shifted to mean zero."""
    axis = torch.linspace(-pair.half_width, pair.half_width, SURFACE_POINTS, device=pair.centres.device)
    grid = torch.cartesian_prod(axis, axis)
    with evaluation(critic), torch.no_grad():
        learned = critic(grid).reshape(-1)
    true = -pair.potential(grid)
    shape = (SURFACE_POINTS, SURFACE_POINTS)
    return {
        "axis": axis.tolist(),
        "learned": (learned - learned.mean()).reshape(shape).tolist(),
        "true": (true - true.mean()).reshape(shape).tolist(),
    }


@dataclass
class Progress:
    iteration: int = 0
    seconds: float = 0.0  # training time, evaluations excluded
    curve: list[dict[str, float]] = field(default_factory=list)
    best_cosine: float = -math.inf
    stale: int = 0  # evaluations in a row without a rise above the best by `tolerance`


def run_critic(settings: CriticRun, run_dir: Path) -> dict[str, Any]:
    """Train (or resume) the run in `run_dir` and write `run_dir/result.json`; returns its contents."""
    run_dir = Path(run_dir)
    if (run_dir / RESULT).is_file():
        return read_json(run_dir / RESULT)
    device = select_device(settings.device)
    torch.manual_seed(settings.seed)
    pair = settings.pair().to(device)
    constraint = build(settings.constraint)
    critic = constraint.attach(critic_for(constraint, settings.dim, settings.activation)).to(device)
    optimizer = torch.optim.Adam(critic.parameters(), lr=settings.lr, betas=settings.betas)
    parameters = [p for p in critic.parameters() if p.requires_grad]
    sampler = torch.Generator(device).manual_seed(settings.seed)
    held_out = torch.Generator(device).manual_seed(10_007 + settings.seed)
    watch = pair.sample(EVALUATION_SAMPLES, held_out)  # the convergence curve's fixed batch
    progress = Progress()
    if (run_dir / "checkpoints").is_dir():
        saved, _ = resumable(run_dir)
        critic.load_state_dict(saved["critic"])
        optimizer.load_state_dict(saved["optimizer"])
        torch.set_rng_state(saved["rng"])
        sampler.set_state(saved["sampler"])
        progress = Progress(**saved["progress"])
    write_text(run_dir / "settings.json", _json(settings.to_dict()))
    loss = WassersteinLoss()
    peak_memory.reset_peak(device)
    started = time.perf_counter()
    while progress.iteration < settings.iterations:
        inputs, targets = pair.sample(settings.batch_size, sampler)
        # P (the moved inputs) plays "real" and Q "fake": the critic maximizes E_P[D] − E_Q[D].
        update_critic(constraint, critic, critic, loss, optimizer, parameters, inputs, targets, progress.iteration)
        progress.iteration += 1
        if progress.iteration % settings.evaluate_every == 0 or progress.iteration == settings.iterations:
            _synchronize(device)
            progress.seconds += time.perf_counter() - started
            converged = _evaluate(critic, pair, watch, settings, progress)
            _check_finite(critic, settings, run_dir)
            save_checkpoint(
                _state(critic, optimizer, sampler, progress), run_dir / "checkpoints", progress.iteration, 1
            )
            started = time.perf_counter()
            if converged:
                break
    peak = peak_memory.peak(device)
    final = pair.sample(EVALUATION_SAMPLES, torch.Generator(device).manual_seed(20_011 + settings.seed))
    targets = pair.sample_targets(EVALUATION_SAMPLES, torch.Generator(device).manual_seed(30_013 + settings.seed))
    measured = measure(critic, pair, final[0], targets)
    result = {
        "constraint": settings.constraint,
        "dim": settings.dim,
        "funnels": settings.funnels,
        "seed": settings.seed,
        "pair": pair.name,
        "true_w1": pair.true_w1(TRUE_W1_SAMPLES, torch.Generator(device).manual_seed(0)),
        **measured.as_dict(),
        "iterations": progress.iteration,
        "sec_per_iteration": progress.seconds / max(progress.iteration, 1),
        "peak_mb": peak / 2**20 if peak is not None else None,
        "curve": progress.curve,
        **({"surface": surface(critic, pair)} if settings.dim == 2 else {}),
    }
    write_text(run_dir / RESULT, _json(result))
    return result


def _evaluate(
    critic: nn.Module, pair: FunnelPair, watch: tuple[Tensor, Tensor], settings: CriticRun, progress: Progress
) -> bool:
    """One point of the convergence curve; whether the convergence rule says stop."""
    measured = measure(critic, pair, watch[0], watch[1])
    progress.curve.append({"iteration": progress.iteration, "seconds": progress.seconds, **measured.as_dict()})
    if measured.cosine > progress.best_cosine + settings.tolerance:
        progress.best_cosine, progress.stale = measured.cosine, 0
    else:
        progress.best_cosine, progress.stale = max(progress.best_cosine, measured.cosine), progress.stale + 1
    return settings.patience > 0 and progress.stale >= settings.patience


def _state(critic: nn.Module, optimizer: torch.optim.Optimizer, sampler: torch.Generator, progress: Progress) -> dict:
    return {
        "critic": critic.state_dict(),
        "optimizer": optimizer.state_dict(),
        "rng": torch.get_rng_state(),
        "sampler": sampler.get_state(),
        "progress": asdict(progress),
    }


def _check_finite(critic: nn.Module, settings: CriticRun, run_dir: Path) -> None:
    if not all(torch.isfinite(p).all() for p in critic.parameters()):
        raise GanlipError(
            f"the {settings.constraint} critic diverged in {run_dir} (a weight is not finite); the last good "
            f"checkpoint is kept. Lower the learning rate or use a stronger constraint."
        )


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=1) + "\n"
