"""The training loop: `critic_step`, `generator_step`, and a loop that calls them, logs, samples and checkpoints
on schedules. What it trains is built by `ganlip.setup`."""

from __future__ import annotations

import math
import signal
import time
from contextlib import nullcontext
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlip import distributed, peak_memory
from ganlip.atomic import write_text
from ganlip.checkpoint import save_checkpoint
from ganlip.conditioning import conditioned
from ganlip.config import Config, critic_steps_at
from ganlip.critic_update import update_critic
from ganlip.errors import Diverged, Interrupted, StorageError
from ganlip.evaluate import generator_scores
from ganlip.gradients import input_gradient_norms, interpolate, scores
from ganlip.interrupts import StopRequests
from ganlip.layers import evaluation
from ganlip.lock import DirectoryLock
from ganlip.log import Logger
from ganlip.measurements import measurements
from ganlip.metrics import keys
from ganlip.metrics.protocol import SCORE_PROTOCOL, Protocol, ScoreProtocol
from ganlip.resolution import recipe_comments, resolve
from ganlip.resume import prepare
from ganlip.setup import Run, build_run
from ganlip.trackers import open_sinks
from ganlip.visuals import save_samples


def latents(run: Run, n: int, rng: torch.Generator | None = None) -> Tensor:
    """`n` latents: this process's share of a draw for the whole (global) batch."""
    drawn = torch.randn(distributed.global_size(n), run.generator.latent_dim, device=run.device, generator=rng)
    return distributed.share(drawn)


def autocast(run: Run):
    return torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=run.config.amp == "bf16")


def split_batch(batch: Tensor | tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor | None]:
    """A batch of the stream as (samples, classes); classes None for an unconditional run."""
    return (batch, None) if isinstance(batch, Tensor) else batch


def critic_step(run: Run, batch: Tensor | tuple[Tensor, Tensor]) -> dict[str, Tensor]:
    """One critic update against a batch of the generator's samples (for a conditional run, generated for the real
    batch's classes, so that row `i` of both has one class)."""
    real, labels = split_batch(batch)
    if run.config.channels_last and real.dim() == 4:
        real = real.contiguous(memory_format=torch.channels_last)
    with torch.no_grad(), autocast(run):
        fake = generate(run.generator_train, latents(run, len(real)), labels).to(real.dtype)
    stats = update_critic(
        run.constraint,
        run.critic,
        run.critic_train,
        run.loss,
        run.optimizer_d,
        run.critic_parameters,
        real,
        fake,
        run.critic_steps,
        autocast(run),
        labels,
    )
    run.critic_steps += 1
    return stats


def generate(generator: nn.Module, noise: Tensor, labels: Tensor | None) -> Tensor:
    """`G(z)`, or `G(z, y)` for a conditional run."""
    return generator(noise) if labels is None else generator(noise, labels)


def sampled_classes(run: Run, n: int) -> Tensor | None:
    """`n` classes for a conditional run's generator step (this process's share of a draw for the global batch),
    drawn with the data's class frequencies, as the critic step's fakes are drawn for the real batch's classes
    (SNGAN-projection and mimicry draw both uniformly: on balanced data the same distribution); None for an
    unconditional run."""
    if run.class_frequencies is None:
        return None
    drawn = torch.multinomial(run.class_frequencies, distributed.global_size(n), replacement=True)
    return distributed.share(drawn)


def generator_step(run: Run) -> dict[str, Tensor]:
    """One generator update against the current critic, which stays fixed (eval mode: no power iteration)."""
    run.critic.eval().requires_grad_(False)
    batch_size = distributed.local_batch(run.config.g_batch_size or run.config.batch_size)
    labels = sampled_classes(run, batch_size)
    with autocast(run):  # the plain critic: its weights get no gradient here, so there is nothing to synchronize
        fake = generate(run.generator_train, latents(run, batch_size), labels)
        fake_scores = scores(conditioned(run.critic, labels)(fake), batch_size)
        loss = run.loss.generator(fake_scores.float())
    run.optimizer_g.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer_g.step()
    run.critic.train().requires_grad_(True)
    for scheduler in run.schedulers:
        scheduler.step()
    if run.ema is not None:
        run.ema.update(run.generator, run.step)
    return {keys.GENERATOR_LOSS: loss.detach()}


def gradient_norm(module: nn.Module) -> float:
    norms = [p.grad.detach().norm() for p in module.parameters() if p.grad is not None]
    return torch.stack(norms).norm().item() if norms else 0.0


def diagnostics(run: Run, batch: Tensor | tuple[Tensor, Tensor]) -> dict[str, float]:
    """Gradient-norm statistics, measured without touching the training RNG or spectral norm's `u`."""
    real, labels = split_batch(batch)
    rng = torch.Generator(run.device).manual_seed(run.config.seed * 7919 + run.step)
    with evaluation(run.critic), evaluation(run.generator):  # nor batch norm's running statistics
        with torch.no_grad():
            fake = generate(run.generator, latents(run, len(real), rng), labels)
        norms = input_gradient_norms(conditioned(run.critic, labels), interpolate(real, fake, generator=rng))
    return {
        keys.INPUT_GRADIENT_MEAN: norms.mean().item(),
        keys.INPUT_GRADIENT_MAX: norms.max().item(),
        keys.CRITIC_PARAMETER_GRADIENT: gradient_norm(run.critic),
        keys.GENERATOR_PARAMETER_GRADIENT: gradient_norm(run.generator),
    }


def summarize(window: list[dict[str, Tensor]]) -> dict[str, float]:
    """The mean of each quantity over the entries that hold it (critic steps, generator steps)."""
    keys = dict.fromkeys(key for entry in window for key in entry)
    return {key: torch.stack([entry[key] for entry in window if key in entry]).mean().item() for key in keys}


def check_finite(run: Run, values: dict[str, float]) -> None:
    for key, value in values.items():
        if not math.isfinite(value):
            raise diverged(run, f"{key} is {value}")


def diverged(run: Run, what: str) -> Diverged:
    last = run.run_dir / "checkpoints" / "last.pt"
    kept = f"the last good checkpoint {last} is kept" if last.exists() else "no checkpoint was written"
    return Diverged(
        f"training diverged at step {run.step}: {what}; {kept}. Lower the learning rate or use a stronger "
        f"constraint, then resume or restart."
    )


def save_picture(run: Run, logger: Logger) -> None:
    with evaluation(run.sampler), torch.no_grad():
        samples = generate(run.sampler, run.fixed_noise, run.fixed_labels)
    path = run.run_dir / "samples" / f"step_{run.step:06d}.png"
    columns = len(samples) // run.classes if run.classes is not None else None  # a conditional grid: a row a class
    picture = save_samples(samples, path, run.reference, f"step {run.step}", columns, run.fixed_labels)
    logger.picture("samples", picture, run.step)


def log_step(run: Run, logger: Logger, real: Tensor | tuple[Tensor, Tensor], seconds: float) -> None:
    """Averages since the last line, gradient statistics, and on their schedules measurements and FID."""
    config, final = run.config, run.step == run.config.steps
    values = summarize(run.window) | diagnostics(run, real)
    check_finite(run, values)
    values[keys.SEC_PER_STEP] = seconds / sum(keys.GENERATOR_LOSS in entry for entry in run.window)
    peak = peak_memory.peak(run.device)
    if peak is not None:  # since the last line: the CUDA allocator's peak, or the CPU process's resident peak
        values[keys.PEAK_MB] = peak / 2**20
        peak_memory.reset_peak(run.device)
    if run.step % config.measure_every == 0 or final:
        values |= measurements(
            run.critic, run.sampler, run.reference, run.measure_noise, config.seed, run.reference_labels
        )
    if run.scoring is not None and (run.step % config.score_every == 0 or final):
        values |= generator_scores(
            run.scoring.model,
            run.scoring.features,
            run.sampler,
            run.scoring.reference,
            config.score_samples,
            250,
            run.device,
            tuple(config.score_metrics),
        )
    logger.scalars(run.step, values)
    logger.progress(0, W=values[keys.WASSERSTEIN], D=values[keys.CRITIC_LOSS], G=values[keys.GENERATOR_LOSS])


def save_state(run: Run) -> Path:
    """Save the run's state, unless a weight has become NaN or infinite (the last good checkpoint stays)."""
    for name, module in (("generator", run.generator), ("critic", run.critic)):
        if not all(torch.isfinite(p).all() for p in module.parameters()):
            raise diverged(run, f"a weight of the {name} is not finite")
    try:
        return save_checkpoint(run.state(), run.run_dir / "checkpoints", run.step, run.config.keep_checkpoints)
    except StorageError as error:  # stop rather than train on without a checkpoint
        raise StorageError(
            f"training stopped at step {run.step}: {error} Once it can write, continue with: "
            f"ganlip train --resume {run.run_dir}"
        ) from None


def make_run_directory(run_dir: Path, config: Config) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"cannot write the run directory {run_dir} ({error.strerror or error}); choose another --out."
        ) from None
    config.save(run_dir / "config.yaml", recipe_comments(config))


def write_score_protocol(run_dir: Path, real: Protocol, generated_samples: int | None) -> None:
    """How the run's scores are computed (`score_protocol.json`): the data side's protocol, and the generated
    side's sample count and quantization; `ganlip compare` warns where the runs of a part differ."""
    write_text(run_dir / SCORE_PROTOCOL, ScoreProtocol(real, generated_samples).to_json())


def train(config: Config, resume: str | Path | None = None, changes: dict | None = None, quiet: bool = False) -> Path:
    """Train from `config` (or resume the run directory `resume`, applying `changes`); returns the run directory.
    SIGINT and SIGTERM stop it after the current step with a checkpoint saved (raising `Interrupted`). Under
    torchrun the process group is torn down on every way out, so that no rank aborts at exit."""
    run_dir = Path(resume) if resume is not None else Path(resolve(config).out)
    writer = DirectoryLock(run_dir, "ganlip train") if distributed.writes_files() else nullcontext()
    try:
        with writer:  # one writer per run directory: a second one stops here, at once, naming the first
            config, saved = prepare(config, resume, changes)
            return _train(build_run(config, saved), quiet)
    finally:
        distributed.stop()


def _train(run: Run, quiet: bool) -> Path:
    config = run.config
    main = distributed.is_main()  # of several processes, one writes logs, pictures and checkpoints
    if main:
        make_run_directory(run.run_dir, config)
        if run.scoring is not None and run.scoring.reference.protocol is not None:
            write_score_protocol(run.run_dir, run.scoring.reference.protocol, config.score_samples)
    if run.step >= config.steps:
        return run.run_dir
    sinks = open_sinks(config, run.run_dir, run.step) if main else []
    logger = Logger(run.run_dir, config.steps, run.step, progress_bar=not quiet, enabled=main, sinks=sinks)
    peak_memory.reset_peak(run.device)
    for note in run.notes:
        logger.message(note)
    started, path, stopping = time.perf_counter(), None, False
    with StopRequests() as stop:
        try:
            while run.step < config.steps and not stopping:
                run.step += 1
                critic_stats = []
                for _ in range(critic_steps_at(config, run.step)):
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
