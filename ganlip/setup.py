"""Setup: a config resolved to the papers' defaults, and everything a run holds built from it in one go (models,
strategy, optimizers, data stream, fixed noise, DDP and compile wrappers), fresh or from a checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import Dataset

from ganlip import config as config_module
from ganlip import distributed
from ganlip.builders import build_networks, dataset_for
from ganlip.conditioning import balanced_classes
from ganlip.config import Config
from ganlip.constraints import Constraint
from ganlip.constraints.base import Trait
from ganlip.data import BatchStream
from ganlip.data.files import ImageFiles
from ganlip.data.registry import require_labels
from ganlip.data.stream import fixed_labelled_subset
from ganlip.devices import select_device
from ganlip.ema import EMA
from ganlip.errors import GanlipError
from ganlip.evaluate import Reference, class_metrics, data_reference
from ganlip.losses import WassersteinLoss, build_loss
from ganlip.metrics.features import build_features, choose_features
from ganlip.notes import cores_note, idle_scoring_note, precision_note, recipe_note
from ganlip.resolution import require_class_samples

# How many generated points a 2-D scatter shows (image grids show `n_samples`).
SCATTER_POINTS = 1024


def make_optimizer(config: Config, parameters) -> torch.optim.Optimizer:
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=config.lr)
    return torch.optim.Adam(parameters, lr=config.lr, betas=tuple(config.betas))


@dataclass
class Scoring:
    """The feature network scores are computed in, its name, and the data's features in it."""

    model: nn.Module
    features: str
    reference: Reference


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
    # a conditional run's classes: of the sample grids' rows, and of the fixed real samples (for which the
    # measurements' latents are generated); None for an unconditional run
    fixed_labels: Tensor | None = None
    reference_labels: Tensor | None = None
    class_frequencies: Tensor | None = None  # of the data's labels, which the generator step draws classes by
    critic_parameters: list[nn.Parameter] = field(default_factory=list)  # those the critic optimizer updates
    critic_train: nn.Module | None = None  # what the critic step calls: the critic, or its DDP/compiled wrapper
    generator_train: nn.Module | None = None
    schedulers: list[torch.optim.lr_scheduler.LRScheduler] = field(default_factory=list)
    ema: EMA | None = None
    scoring: Scoring | None = None  # what FID and the other scores need; None when they are off
    notes: list[str] = field(default_factory=list)  # what the loop tells the user as it starts
    step: int = 0
    critic_steps: int = 0  # taken over the whole run: which of them a lazy penalty (every=k) is computed on
    window: list[dict[str, Tensor]] = field(default_factory=list)

    @property
    def classes(self) -> int | None:
        """The class count of a conditional run; None for an unconditional one."""
        return self.config.num_classes if self.config.conditional else None

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
        dataset = dataset_for(config)
    if config.skip_bad_images and isinstance(dataset, ImageFiles):
        dataset = dataset.readable()
    if config.cache_images and isinstance(dataset, ImageFiles):
        dataset = dataset.decoded(Path(config.data_root) / ".ganlip_cache")
    data_shape = tuple(dataset[0].shape)
    if config.conditional:
        config = with_classes(config, dataset)
    generator, critic, constraint = build_networks(config, data_shape)
    if Trait.BATCH_COUPLED in constraint.traits and distributed.world()[1] > 1:
        raise GanlipError(
            f"'{config.constraint}' penalizes a whole batch at once, and each of the {distributed.world()[1]} "
            f"processes holds only its share; train it in one process (without torchrun)."
        )
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
    fixed_labels = None
    if config.conditional:
        fixed_labels = picture_classes(SCATTER_POINTS if points else config.n_samples, config.num_classes, points)
    noise = torch.randn(
        len(fixed_labels) if fixed_labels is not None else SCATTER_POINTS if points else config.n_samples,
        generator.latent_dim,
        generator=torch.Generator().manual_seed(config.seed),
    )
    reference, measure_noise, reference_labels = measurement_set(config, dataset, generator.latent_dim)
    with torch.random.fork_rng(devices=[]):  # building the feature network must not move the training's stream
        scoring, note = prepare_scores(config, data_shape, device) if config.score_every else (None, None)
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
            stream=BatchStream(
                dataset, config.batch_size, config.seed, device, position, config.num_workers, config.conditional
            ),
            fixed_noise=noise.to(device),
            reference=reference.to(device),
            measure_noise=measure_noise.to(device),
            fixed_labels=fixed_labels.to(device) if fixed_labels is not None else None,
            class_frequencies=class_frequencies(dataset, config).to(device) if config.conditional else None,
            reference_labels=reference_labels.to(device) if reference_labels is not None else None,
            schedulers=schedulers,
            ema=ema,
            scoring=scoring,
            notes=[
                *(saved or {}).get("notes", []),
                precision_note(config.amp, device),
                *recipe_note(config),
                *idle_scoring_note(config),
                *cores_note(device),
                *([note] if note else []),
            ],
            step=step,
            critic_steps=config_module.critic_steps_before(config, step),
        )
    )


def prepare_scores(config: Config, data_shape: tuple[int, ...], device: torch.device) -> tuple[Scoring | None, str]:
    """The feature network and the data's reference features (on the main process only), and a note saying
    what will be scored; without a feature network, scores are off and training goes on with SWD and W1."""
    if not distributed.is_main():
        return None, ""
    if len(data_shape) == 1:
        return None, "Scores are off for this run: they measure images, and these data are 2-D points."
    try:
        features = choose_features(config.features, config.data, config.inception_weights)
        if features is None:
            return None, (
                f"Scores are off for this run: no Inception weights here and no shipped feature network for "
                f"'{config.data}'; quality is judged by SWD and W1."
            )
        model = build_features(features, config.inception_weights, config.fid_dims).to(device)
    except GanlipError as error:
        return None, f"Scores are off for this run: {error}"
    reference = data_reference(
        model,
        features,
        config.data,
        config.data_root,
        config.split,
        config.resolution,
        device,
        inception_weights=config.inception_weights,
    )
    scored = [*config.score_metrics, *(class_metrics(features) if config.conditional else ())]
    note = f"Scores ({', '.join(dict.fromkeys(scored))}) on {features} features every {config.score_every} steps."
    return Scoring(model, features, reference), note


def measurement_set(config: Config, dataset: Dataset, latent_dim: int) -> tuple[Tensor, Tensor, Tensor | None]:
    """The fixed real samples and latents a run is measured on (and the training loop's 2-D scatters show), and
    for a conditional run the real samples' classes, for which the latents are generated."""
    reference, labels = fixed_labelled_subset(dataset, config.measure_samples, config.seed)
    noise = torch.randn(len(reference), latent_dim, generator=torch.Generator().manual_seed(config.seed + 1))
    return reference, noise, labels if config.conditional else None


def with_classes(config: Config, dataset: Dataset) -> Config:
    """A conditional config with the class count of its data (refused for unlabelled data or an empty class)."""
    classes = require_labels(dataset, config.data)
    if config.num_classes is not None and config.num_classes != classes:
        raise GanlipError(
            f"num_classes is {config.num_classes} but '{config.data}' has {classes} classes; drop num_classes (the "
            f"data's count is used), or resume with the run's own config.yaml."
        )
    require_class_samples(config, classes)
    return config.replace(num_classes=classes)


def class_frequencies(dataset: Dataset, config: Config) -> Tensor:
    """How often each class occurs in the data: the distribution a conditional generator step draws classes by."""
    counts = torch.bincount(dataset.labels, minlength=config.num_classes)  # type: ignore[attr-defined]
    return counts.float() / counts.sum()


def picture_classes(n: int, classes: int, points: bool) -> Tensor:
    """The classes of a conditional run's pictures of about `n` samples: a scatter's `n` points spread evenly over
    the classes; a grid's one row per class, in order, of as many columns as `n` allows (at least one)."""
    if points:
        return balanced_classes(n, classes)
    return torch.arange(classes).repeat_interleave(max(1, n // classes))


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
        if Trait.DOUBLE_BACKWARD not in run.constraint.traits:  # compiled graphs cannot be differentiated twice
            critic = torch.compile(critic)
    run.critic_train, run.generator_train = critic, generator
    run.critic_parameters = [p for p in run.critic.parameters() if p.requires_grad]
    return run
