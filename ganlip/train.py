"""Build everything from a Config, then the training loop: `critic_step`, `generator_step`, and a loop that
calls them, logs, samples and checkpoints on schedules."""

from __future__ import annotations

import math
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.utils import parametrize
from torch.utils.data import Dataset

from ganlip import config as config_module
from ganlip import distributed, peak_memory
from ganlip.checkpoint import checkpoint_in, load_checkpoint, save_checkpoint
from ganlip.config import Config, path_safe
from ganlip.constraints import Constraint, OptimizerRecipe, build
from ganlip.constraints.base import with_recipe_params
from ganlip.data import BatchStream, data_spec, load_data
from ganlip.data.files import ImageFiles
from ganlip.data.stream import fixed_subset
from ganlip.devices import select_device
from ganlip.ema import EMA
from ganlip.errors import GanlipError, Interrupted
from ganlip.evaluate import Reference, data_reference, generator_scores, measurements
from ganlip.gradients import input_gradient_norms, interpolate
from ganlip.interrupts import StopRequests
from ganlip.log import Logger
from ganlip.losses import WassersteinLoss, build_loss
from ganlip.metrics.features import build_features, choose_features
from ganlip.metrics.spectra import evaluation
from ganlip.models import build_model, family, sizes_from
from ganlip.visuals import save_samples

# Used when no strategy names a recipe (e.g. only penalties without one): WGAN-GP's Adam.
DEFAULT_RECIPE = OptimizerRecipe("adam", 1e-4, (0.0, 0.9))
# How many generated points a 2-D scatter shows (image grids show `n_samples`).
SCATTER_POINTS = 1024
# Config keys a resumed run may change; the rest must match the checkpoint.
RESUMABLE_CHANGES = (
    "steps",
    "device",
    "num_workers",
    "log_every",
    "sample_every",
    "checkpoint_every",
    "keep_checkpoints",
    "measure_every",
    "score_every",
    "quiet",
)


def resolve(config: Config) -> Config:
    """Fill every `None` of `config` with the default of its data, architecture or strategy (the papers')."""
    spec = data_spec(config.data)
    arch = config.arch or spec.arch
    sizes = {**family(arch).sizes, **(spec.sizes if arch == spec.arch else {})}
    constraint = resolved_constraint(config)
    recipe = build(constraint).recipe_for(spec.kind) or DEFAULT_RECIPE
    resolved = config.replace(
        constraint=constraint,
        arch=arch,
        resolution=(config.resolution or spec.resolution) if spec.kind == "images" else None,
        latent_dim=config.latent_dim or sizes.get("latent_dim"),
        width=config.width or sizes.get("width"),
        optimizer=config.optimizer or recipe.name,
        lr=config.lr or recipe.lr,
        betas=config.betas or list(recipe.betas),
        decay_steps=config.decay_steps or config.steps,
        out=config.out or str(Path("runs") / f"{config.data}-{path_safe(config.constraint)}"),
    )
    build_loss(resolved.loss)
    return resolved


def resolved_constraint(config: Config) -> str:
    """The config's strategy spec with the parameters its recipe for these data sets (gp's toy weight)."""
    return with_recipe_params(config.constraint, data_spec(config.data).kind)


def make_optimizer(config: Config, parameters) -> torch.optim.Optimizer:
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=config.lr)
    return torch.optim.Adam(parameters, lr=config.lr, betas=tuple(config.betas))


@dataclass
class Run:
    """Everything a training loop holds, built from a resolved Config."""

    config: Config
    run_dir: Path
    device: torch.device
    data_shape: tuple[int, ...]
    generator: nn.Module
    critic: nn.Module
    constraint: Constraint
    loss: WassersteinLoss
    optimizer_g: torch.optim.Optimizer
    optimizer_d: torch.optim.Optimizer
    stream: BatchStream
    fixed_noise: Tensor  # the sample grids' latents
    reference: Tensor  # fixed real samples for measurements (and under 2-D scatters)
    measure_noise: Tensor  # fixed latents for measurements
    critic_parameters: list[nn.Parameter] = field(default_factory=list)  # those the critic optimizer updates
    critic_train: nn.Module | None = None  # what the critic step calls: the critic, or its DDP/compiled wrapper
    generator_train: nn.Module | None = None
    schedulers: list[torch.optim.lr_scheduler.LRScheduler] = field(default_factory=list)
    ema: EMA | None = None
    feature_model: nn.Module | None = None  # the feature network scores are computed in
    features: str | None = None  # its name
    score_reference: Reference | None = None  # the data's features
    step: int = 0
    window: list[dict[str, Tensor]] = field(default_factory=list)

    @property
    def sampler(self) -> nn.Module:
        """The generator that samples, metrics and export use: the moving average when there is one."""
        return self.ema.model if self.ema is not None else self.generator

    def state(self) -> dict:
        cuda = torch.cuda.get_rng_state_all() if self.device.type == "cuda" else []
        return {
            "config": self.config.to_dict(),
            "data_shape": list(self.data_shape),
            "generator": self.generator.state_dict(),
            "generator_ema": self.ema.model.state_dict() if self.ema is not None else None,
            "critic": self.critic.state_dict(),
            "optimizer_g": self.optimizer_g.state_dict(),
            "optimizer_d": self.optimizer_d.state_dict(),
            "schedulers": [scheduler.state_dict() for scheduler in self.schedulers],
            "data_position": self.stream.position,
            "rng": {"torch": torch.get_rng_state(), "cuda": cuda},
        }


def build_run(config: Config, saved: dict | None = None, dataset: Dataset | None = None) -> Run:
    """Everything from a resolved config; `dataset` replaces the configured data (benchmarks, tests)."""
    device = distributed.start(config.device) or select_device(config.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = config.cudnn_benchmark
    torch.manual_seed(config.seed)
    if dataset is None:
        dataset = load_data(
            config.data, config.data_root, config.resolution, config.split, config.download, config.seed
        )
    if config.skip_bad_images and isinstance(dataset, ImageFiles):
        dataset = dataset.readable()
    if config.cache_images and isinstance(dataset, ImageFiles):
        dataset = dataset.decoded(Path(config.data_root) / ".ganlip_cache")
    data_shape = tuple(dataset[0].shape)
    generator, critic = build_model(config.arch, data_shape, **sizes_from(config.to_dict()))
    constraint = build(config.constraint)
    if constraint.batch_coupled and distributed.world()[1] > 1:
        raise GanlipError(
            f"'{config.constraint}' penalizes a whole batch at once, and each of the {distributed.world()[1]} "
            f"processes holds only its share; train it in one process (without torchrun)."
        )
    critic = constraint.attach(critic)
    generator, critic = generator.to(device), critic.to(device)
    if config.channels_last and len(data_shape) == 3:
        generator, critic = (m.to(memory_format=torch.channels_last) for m in (generator, critic))
    optimizer_g = make_optimizer(config, generator.parameters())
    optimizer_d = make_optimizer(config, critic.parameters())
    schedulers = []
    if config.lr_decay == "linear":  # to zero at decay_steps (WGAN-GP's `max(0, 1 - iteration / ITERS)`)
        decay = lambda step: max(0.0, 1.0 - step / config.decay_steps)  # noqa: E731
        schedulers = [torch.optim.lr_scheduler.LambdaLR(o, decay) for o in (optimizer_g, optimizer_d)]
    ema = EMA(generator, config.ema_decay, config.ema_start) if config.ema_decay > 0 else None
    step, position = 0, 0
    if saved is not None:
        try:
            generator.load_state_dict(saved["generator"])
            critic.load_state_dict(saved["critic"])
            if ema is not None:
                ema.model.load_state_dict(saved["generator_ema"])
        except RuntimeError as error:
            raise GanlipError(
                f"the checkpoint does not fit the configured model ({str(error).splitlines()[0]}); "
                f"resume with the run's own config.yaml."
            ) from None
        optimizer_g.load_state_dict(saved["optimizer_g"])
        optimizer_d.load_state_dict(saved["optimizer_d"])
        for scheduler, state in zip(schedulers, saved["schedulers"], strict=True):
            scheduler.load_state_dict(state)
        step, position = saved["step"], saved["data_position"]
        torch.set_rng_state(saved["rng"]["torch"])
        if device.type == "cuda" and len(saved["rng"]["cuda"]) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(saved["rng"]["cuda"])
    points = len(data_shape) == 1
    noise = torch.randn(
        SCATTER_POINTS if points else config.n_samples,
        generator.latent_dim,
        generator=torch.Generator().manual_seed(config.seed),
    )
    reference = fixed_subset(dataset, config.measure_samples, config.seed)
    measure_noise = torch.randn(
        len(reference), generator.latent_dim, generator=torch.Generator().manual_seed(config.seed + 1)
    )
    return wrap_for_training(
        Run(
            config=config,
            run_dir=Path(config.out),
            device=device,
            data_shape=data_shape,
            generator=generator,
            critic=critic,
            constraint=constraint,
            loss=build_loss(config.loss),
            optimizer_g=optimizer_g,
            optimizer_d=optimizer_d,
            stream=BatchStream(dataset, config.batch_size, config.seed, device, position, config.num_workers),
            fixed_noise=noise.to(device),
            reference=reference.to(device),
            measure_noise=measure_noise.to(device),
            schedulers=schedulers,
            ema=ema,
            step=step,
        )
    )


def wrap_for_training(run: Run) -> Run:
    """DDP across processes (batch norm synchronized on GPUs), then torch.compile where it can trace."""
    critic, generator = run.critic, run.generator
    if distributed.world()[1] > 1:
        ids = [run.device.index] if run.device.type == "cuda" else None
        if run.device.type == "cuda":
            generator = nn.SyncBatchNorm.convert_sync_batchnorm(generator)
        critic, generator = DDP(critic, device_ids=ids), DDP(generator, device_ids=ids)
    if run.config.compile:
        generator = torch.compile(generator)
        if not run.constraint.double_backward:  # compiled graphs cannot be differentiated twice
            critic = torch.compile(critic)
    run.critic_train, run.generator_train = critic, generator
    run.critic_parameters = [p for p in run.critic.parameters() if p.requires_grad]
    return run


def latents(run: Run, n: int, rng: torch.Generator | None = None) -> Tensor:
    """`n` latents: this process's share of a draw for the whole (global) batch."""
    drawn = torch.randn(distributed.global_size(n), run.generator.latent_dim, device=run.device, generator=rng)
    return distributed.share(drawn)


def autocast(run: Run):
    return torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=run.config.amp == "bf16")


def critic_step(run: Run, real: Tensor) -> dict[str, Tensor]:
    """One critic update: WGAN loss plus the strategy's penalty, then its projection."""
    if run.config.channels_last and real.dim() == 4:
        real = real.contiguous(memory_format=torch.channels_last)
    with torch.no_grad(), autocast(run):
        fake = run.generator_train(latents(run, len(real))).to(real.dtype)
    # Cached: a reparametrized weight (and spectral norm's power iteration) is computed once per step,
    # however many times the critic runs in it (real, fake, interpolates).
    with parametrize.cached(), autocast(run):
        scores = run.critic_train(torch.cat([real, fake])).float()
        real_scores, fake_scores = scores[: len(real)], scores[len(real) :]
        penalty = run.constraint.penalty(run.critic_train, real, fake).float()
        loss = run.loss.critic(real_scores, fake_scores) + penalty
    run.optimizer_d.zero_grad(set_to_none=True)
    # Only the critic's weights need gradients: naming them prunes the rest of the graph (for a gradient
    # penalty, the input-gradient of the interpolates' leaf, a whole convolution backward).
    loss.backward(inputs=run.critic_parameters)
    run.optimizer_d.step()
    run.constraint.after_step(run.critic)
    return {
        "loss/critic": loss.detach(),
        "penalty": penalty.detach(),
        "wasserstein": (real_scores.mean() - fake_scores.mean()).detach(),
    }


def generator_step(run: Run) -> dict[str, Tensor]:
    """One generator update against the current critic, which stays fixed (eval mode: no power iteration)."""
    run.critic.eval().requires_grad_(False)
    batch_size = distributed.local_batch(run.config.g_batch_size or run.config.batch_size)
    with autocast(run):  # the plain critic: its weights get no gradient here, so there is nothing to synchronize
        loss = run.loss.generator(run.critic(run.generator_train(latents(run, batch_size))).float())
    run.optimizer_g.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer_g.step()
    run.critic.train().requires_grad_(True)
    for scheduler in run.schedulers:
        scheduler.step()
    if run.ema is not None:
        run.ema.update(run.generator, run.step)
    return {"loss/generator": loss.detach()}


def gradient_norm(module: nn.Module) -> float:
    norms = [p.grad.detach().norm() for p in module.parameters() if p.grad is not None]
    return torch.stack(norms).norm().item() if norms else 0.0


def diagnostics(run: Run, real: Tensor) -> dict[str, float]:
    """Gradient-norm statistics, measured without touching the training RNG or spectral norm's `u`."""
    rng = torch.Generator(run.device).manual_seed(run.config.seed * 7919 + run.step)
    with evaluation(run.critic), evaluation(run.generator):  # nor batch norm's running statistics
        with torch.no_grad():
            fake = run.generator(latents(run, len(real), rng))
        norms = input_gradient_norms(run.critic, interpolate(real, fake, generator=rng))
    return {
        "grad_norm/input_mean": norms.mean().item(),
        "grad_norm/input_max": norms.max().item(),
        "grad_norm/critic_params": gradient_norm(run.critic),
        "grad_norm/generator_params": gradient_norm(run.generator),
    }


def summarize(window: list[dict[str, Tensor]]) -> dict[str, float]:
    """The mean of each quantity over the entries that hold it (critic steps, generator steps)."""
    keys = dict.fromkeys(key for entry in window for key in entry)
    return {key: torch.stack([entry[key] for entry in window if key in entry]).mean().item() for key in keys}


def check_finite(run: Run, values: dict[str, float]) -> None:
    for key, value in values.items():
        if not math.isfinite(value):
            last = run.run_dir / "checkpoints" / "last.pt"
            kept = f"the last good checkpoint {last} is kept" if last.exists() else "no checkpoint was written"
            raise GanlipError(
                f"training diverged at step {run.step}: {key} is {value}; {kept}. Lower the learning "
                f"rate or use a stronger constraint, then resume or restart."
            )


def save_picture(run: Run, logger: Logger) -> None:
    with evaluation(run.sampler), torch.no_grad():
        samples = run.sampler(run.fixed_noise)
    path = run.run_dir / "samples" / f"step_{run.step:06d}.png"
    logger.picture("samples", save_samples(samples, path, run.reference, f"step {run.step}"), run.step)


def prepare_scores(run: Run, logger: Logger) -> None:
    """Load the feature network and the data's reference features; without one, train on with SWD and W1."""
    config = run.config
    if len(run.data_shape) == 1:
        logger.message("Scores are off for this run: they measure images, and these data are 2-D points.")
        return
    try:
        features = choose_features(config.features, config.data, config.inception_weights)
        if features is None:
            logger.message(
                f"Scores are off for this run: no Inception weights here and no shipped feature network for "
                f"'{config.data}'; quality is judged by SWD and W1."
            )
            return
        model = build_features(features, config.inception_weights, config.fid_dims).to(run.device)
    except GanlipError as error:
        logger.message(f"Scores are off for this run: {error}")
        return
    logger.message(
        f"Scores ({', '.join(config.score_metrics)}) on {features} features every {config.score_every} steps."
    )
    run.feature_model, run.features = model, features
    run.score_reference = data_reference(
        model, features, config.data, config.data_root, config.split, config.resolution, run.device
    )


def prepare(
    config: Config, resume: str | Path | None = None, changes: dict | None = None
) -> tuple[Config, dict | None]:
    """The resolved config of a new run, or of a resumed one with its checkpoint."""
    if resume is None:
        config = resolve(config)
        run_dir = Path(config.out)
        if (run_dir / "checkpoints" / "last.pt").exists():
            raise GanlipError(
                f"{run_dir} already holds a run; continue it with --resume {run_dir} or choose another --out."
            )
        return config, None
    run_dir = Path(resume)
    state = load_checkpoint(checkpoint_in(run_dir))
    changes = changes or {}
    refused = sorted(set(changes) - set(RESUMABLE_CHANGES))
    if refused:
        raise GanlipError(
            f"cannot change {', '.join(refused)} when resuming; a resumed run may only change "
            f"{', '.join(RESUMABLE_CHANGES)}."
        )
    saved = config_module.from_dict(state["config"])
    return saved.replace(**changes, out=str(run_dir)), state


def log_step(run: Run, logger: Logger, real: Tensor, seconds: float) -> None:
    """Averages since the last line, gradient statistics, and on their schedules measurements and FID."""
    config, final = run.config, run.step == run.config.steps
    values = summarize(run.window) | diagnostics(run, real)
    check_finite(run, values)
    values["time/sec_per_step"] = seconds / sum("loss/generator" in entry for entry in run.window)
    peak = peak_memory.peak(run.device)
    if peak is not None:  # since the last line: the CUDA allocator's peak, or the CPU process's resident peak
        values["memory/peak_mb"] = peak / 2**20
        peak_memory.reset_peak(run.device)
    if run.step % config.measure_every == 0 or final:
        values |= measurements(run.critic, run.sampler, run.reference, run.measure_noise, config.seed)
    if run.feature_model is not None and (run.step % config.score_every == 0 or final):
        values |= generator_scores(
            run.feature_model,
            run.features,
            run.sampler,
            run.score_reference,
            config.score_samples,
            250,
            run.device,
            tuple(config.score_metrics),
        )
    logger.scalars(run.step, values)
    logger.progress(0, W=values["wasserstein"], D=values["loss/critic"], G=values["loss/generator"])


def save_state(run: Run) -> Path:
    """Save the run's state, unless a weight has become NaN or infinite (the last good checkpoint stays)."""
    for name, module in (("generator", run.generator), ("critic", run.critic)):
        if not all(torch.isfinite(p).all() for p in module.parameters()):
            check_finite(run, {f"a weight of the {name}": float("nan")})
    return save_checkpoint(run.state(), run.run_dir / "checkpoints", run.step, run.config.keep_checkpoints)


def make_run_directory(run_dir: Path, config: Config) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        config.save(run_dir / "config.yaml")
    except OSError as error:
        raise GanlipError(
            f"cannot write the run directory {run_dir} ({error.strerror or error}); choose another --out."
        ) from None


def train(config: Config, resume: str | Path | None = None, changes: dict | None = None, quiet: bool = False) -> Path:
    """Train from `config` (or resume the run directory `resume`, applying `changes`); returns the run directory.
    SIGINT and SIGTERM stop it after the current step with a checkpoint saved (raising `Interrupted`). Under
    torchrun the process group is torn down on every way out, so that no rank aborts at exit."""
    config, saved = prepare(config, resume, changes)
    try:
        return _train(build_run(config, saved), quiet)
    finally:
        distributed.stop()


def _train(run: Run, quiet: bool) -> Path:
    config = run.config
    main = distributed.is_main()  # of several processes, one writes logs, pictures and checkpoints
    if main:
        make_run_directory(run.run_dir, config)
    if run.step >= config.steps:
        return run.run_dir
    logger = Logger(run.run_dir, config.steps, run.step, progress_bar=not quiet, enabled=main)
    peak_memory.reset_peak(run.device)
    if config.score_every and main:
        prepare_scores(run, logger)
    started, path, stopping = time.perf_counter(), None, False
    with StopRequests() as stop:
        try:
            while run.step < config.steps and not stopping:
                run.step += 1
                critic_stats = []
                for _ in range(config.n_critic):
                    real = next(run.stream)
                    critic_stats.append(critic_step(run, real))
                run.window.extend(critic_stats)  # every critic step counts in the logged means
                run.window.append(generator_step(run))
                logger.progress()
                stopping = distributed.any_rank(stop.received is not None)
                final = run.step == config.steps
                if run.step % config.log_every == 0 or run.step % config.checkpoint_every == 0 or final:
                    check_finite(run, summarize(run.window))  # on every process, so that all stop together
                    if main:
                        log_step(run, logger, real, time.perf_counter() - started)
                    run.window, started = [], time.perf_counter()
                if main and (run.step % config.sample_every == 0 or final):
                    save_picture(run, logger)
                if main and (run.step % config.checkpoint_every == 0 or final or stopping):
                    path = save_state(run)
        finally:
            logger.close()
    if stopping:
        received = stop.received or signal.SIGTERM  # another process may have been the one signalled
        raise Interrupted(
            f"stopped by {received.name} after step {run.step}; checkpoint saved to {path}. "
            f"Continue with: ganlip train --resume {run.run_dir}",
            128 + received.value,
        )
    return run.run_dir
