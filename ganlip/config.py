"""The run configuration: one dataclass with the papers' defaults, YAML in and out, validation in one place."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ganlip.atomic import write_text
from ganlip.errors import GanlipError, unknown_name

LOGGERS = ("tensorboard", "wandb", "mlflow")  # wandb and mlflow: pip install 'ganlip[NAME]'
DEVICES = ("auto", "cpu", "cuda")
AMP_MODES = ("auto", "off", "bf16")
OPTIMIZERS = ("adam", "rmsprop")
# How many critic steps each generator step takes: always n_critic, or WGAN's schedule (see critic_steps_at).
CRITIC_SCHEDULES = ("constant", "wgan")


@dataclass
class Config:
    """Everything a run needs. `None` means "the default of the data, model or strategy", filled in by
    `ganlip.resolution.resolve` and written out resolved to the run's `config.yaml`."""

    # data
    data: str = "digits"
    data_root: str = "data"
    download: bool = False
    split: str = "train"
    resolution: int | None = None
    # model
    arch: str | None = None
    latent_dim: int | None = None
    width: int | None = None
    critic_norm: str | None = None  # resnet: none | layer (WGAN-GP's 64-px critic used layer norm)
    depth: int | None = None  # mlp: hidden layers of each network (gan_toy.py's 3)
    critic_activation: str | None = None  # mlp, dcgan: the critic's own (relu | leaky_relu) or groupsort (MaxMin)
    # class-conditional: the generator takes a class (conditional batch norm), the critic projects it (Miyato &
    # Koyama 2018); `num_classes` is the data's, filled in when a run starts
    conditional: bool = False
    num_classes: int | None = None
    # Lipschitz strategy, a spec such as "sn" or "sn+gp:weight=10"
    constraint: str = "sn"
    # optimisation; None takes the strategy's recipe (the loss, optimizer and critic steps its source trained with),
    # else WGAN's: the Wasserstein loss with 5 critic steps per generator step
    steps: int = 1500
    n_critic: int | None = None
    critic_schedule: str | None = None  # constant | wgan (100 critic steps for 25 generator steps and every 500th)
    batch_size: int = 64
    g_batch_size: int | None = None  # generator batch; None: batch_size (WGAN-GP's ResNet used 2x)
    optimizer: str | None = None
    lr: float | None = None
    betas: list[float] | None = None
    lr_decay: str = "none"  # none | linear (to 0 at decay_steps, as WGAN-GP's and SNGAN's ResNets)
    decay_steps: int | None = None  # the decay's horizon, fixed when a run starts; None: steps
    # exponential moving average of the generator, used for samples, metrics and export; 0: off
    ema_decay: float = 0.0
    ema_start: int = 0
    # run
    device: str = "auto"
    seed: int = 0
    out: str | None = None
    num_workers: int = 0
    cache_images: bool = False  # decode image files once into a uint8 cache (data_root/.ganlip_cache)
    # speed switches: bf16 autocast (auto: where the hardware runs bf16 natively), torch.compile, channels-last
    # tensors, cuDNN autotuning
    amp: str = "auto"  # auto | off | bf16
    compile: bool = False
    channels_last: bool = False
    cudnn_benchmark: bool = True
    log_every: int = 50
    # Where numbers and pictures go beside metrics.jsonl (the record): of LOGGERS (ganlip.trackers).
    loggers: list[str] = dataclasses.field(default_factory=lambda: ["tensorboard"])
    wandb_project: str | None = None  # None: "ganlip"
    wandb_mode: str | None = None  # None: WANDB_MODE if set, else offline; online syncs as it trains
    mlflow_tracking_uri: str | None = None  # None: a file store in the run directory (RUN/mlruns)
    mlflow_experiment: str = "ganlip"
    sample_every: int = 250
    checkpoint_every: int = 500
    keep_checkpoints: int = 5  # newest step_NNNNNN.pt files kept (0: all); last.pt is always kept
    skip_bad_images: bool = False  # skip unreadable image files (counted) instead of stopping on the first
    n_samples: int = 64
    # measurements: spectra, Lipschitz bounds, critic tightness, SWD and exact W1 on fixed samples
    measure_every: int = 250
    measure_samples: int = 512
    # Scores every score_every steps (0: never) on score_samples generated images (quantized as a saved PNG would
    # be), in the feature space of
    # `features`: auto (Inception when its weights are here, else the data's shipped network), none, or a name
    # of `ganlip score --help`. `score_metrics`: of docs/metrics.md (fd, FID on Inception; kid; pr; dc; is).
    score_every: int = 0
    score_samples: int | None = None  # None: 50,000 for FID on Inception's features (FID-50k), else 10,000
    features: str = "auto"
    score_metrics: list[str] = dataclasses.field(default_factory=lambda: _default_metrics())
    fid_dims: int = 2048  # the Inception block scores use: pytorch-fid's pool features, as FID (fid.DEFAULT_DIMS)
    inception_weights: str | None = None
    loss: str | None = None  # wasserstein | hinge | ns (non-saturating); None: the strategy's recipe, else wasserstein

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Config:
        return from_dict({**self.to_dict(), **changes})

    def to_yaml(self, comments: dict[str, str] | None = None) -> str:
        """The config as YAML, with `comments` (key -> text) at the end of those keys' lines."""
        lines = yaml.safe_dump(self.to_dict(), sort_keys=False).splitlines()
        for index, line in enumerate(lines):
            key = line.partition(":")[0]
            if comments and key in comments and not line.startswith((" ", "-")):
                lines[index] = f"{line}  # {comments[key]}"
        return "\n".join(lines) + "\n"

    def save(self, path: Path, comments: dict[str, str] | None = None) -> None:
        """Write `to_yaml(comments)` to `path`, atomically."""
        write_text(path, self.to_yaml(comments))


FIELDS = {f.name: f for f in dataclasses.fields(Config)}
_TYPES = typing.get_type_hints(Config)


def from_dict(values: dict[str, Any]) -> Config:
    """A validated Config from plain values (a YAML mapping, CLI options)."""
    for key in values:
        if key not in FIELDS:
            raise unknown_name("config key", key, FIELDS)
    if values.get("amp") in (False, "none"):  # YAML reads a bare `off` as false; runs before amp=auto wrote none
        values = {**values, "amp": "off"}
    config = Config(**{key: _coerce(key, value) for key, value in values.items()})
    validate(config)
    return config


def load(path: str | Path) -> Config:
    return from_dict(read_mapping(path))


def read_mapping(path: str | Path) -> dict[str, Any]:
    """The mapping a YAML file holds, with errors that name the file and the fix."""
    path = Path(path)
    try:
        values = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise GanlipError(f"config file {path} does not exist; check the path.") from None
    except yaml.YAMLError as error:
        raise GanlipError(f"config file {path} is not valid YAML ({_first_line(error)}); fix its syntax.") from None
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise GanlipError(f"config file {path} must hold a mapping of keys to values, not {type(values).__name__}.")
    return values


def path_safe(text: str) -> str:
    """`text` as a file name: runs of other characters than letters, digits and `.=_-` become `_`."""
    return re.sub(r"[^A-Za-z0-9.=_-]+", "_", text)


def parse_assignments(assignments: typing.Iterable[str]) -> dict[str, Any]:
    """`key=value` strings (from `--set`) to a dict; values are read as YAML scalars."""
    parsed = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep or not key:
            raise GanlipError(f"--set expects key=value, got '{assignment}'.")
        try:
            parsed[key.strip()] = yaml.safe_load(text)
        except yaml.YAMLError:
            parsed[key.strip()] = text
    return parsed


def _coerce(key: str, value: Any) -> Any:
    expected = _TYPES[key]
    optional = type(None) in typing.get_args(expected)
    allowed = [t for t in typing.get_args(expected) if t is not type(None)] if optional else [expected]
    if value is None:
        if optional:
            return None
        raise GanlipError(f"config key '{key}' needs a value of type {_type_name(expected)}.")
    for kind in allowed:
        origin = typing.get_origin(kind) or kind
        if origin is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if origin is float and isinstance(value, str) and _is_number(value):
            return float(value)  # PyYAML reads 1e-4 (no dot) as a string
        if origin is list and isinstance(value, (list, tuple)):
            (item,) = typing.get_args(kind)
            if item is str and all(isinstance(v, str) for v in value):
                return list(value)
            if item is not str and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
                return [item(v) for v in value]
        if origin is list and typing.get_args(kind) == (str,) and isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]  # `--set score_metrics=fd,kid`
        if origin is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if origin in (str, bool) and isinstance(value, origin):
            return value
    raise GanlipError(f"config key '{key}' must be {_type_name(expected)}, got {value!r}.")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _type_name(kind: Any) -> str:
    return str(kind).replace("typing.", "").replace("<class '", "").replace("'>", "")


def _first_line(error: Exception) -> str:
    return " ".join(str(error).split())


def critic_steps_at(config: Config, step: int) -> int:
    """Critic steps before generator step `step` (counted from 1). WGAN's schedule (github.com/martinarjovsky/
    WassersteinGAN, main.py at 2cf43ba, lines 163-166) takes 100 while fewer than 25 generator steps are done and
    whenever their count is a multiple of 500, n_critic otherwise."""
    done = step - 1
    if config.critic_schedule == "wgan" and (done < 25 or done % 500 == 0):
        return 100
    return resolved_n_critic(config)


def critic_steps_before(config: Config, step: int) -> int:
    """Critic steps taken by the end of generator step `step` (a resumed run's count, which lazy penalties read)."""
    if config.critic_schedule != "wgan":
        return step * resolved_n_critic(config)
    return sum(critic_steps_at(config, s) for s in range(1, step + 1))


def resolved_n_critic(config: Config) -> int:
    if config.n_critic is None:
        raise ValueError("critic steps need a resolved config: pass it through ganlip.resolution.resolve first")
    return config.n_critic


def check_device(name: str) -> None:
    if name not in DEVICES and not re.fullmatch(r"cuda:\d+", name):
        raise GanlipError(f"device '{name}' is not valid; use one of {', '.join(DEVICES)}, or cuda:N for GPU N.")


def validate(config: Config) -> None:
    """Checks of values that need no registry; names of data, models and strategies are checked where built."""
    for name in config.loggers:
        if name not in LOGGERS:
            raise GanlipError(f"loggers: unknown logger '{name}'; valid: {', '.join(LOGGERS)}.")
        if name != "tensorboard" and importlib.util.find_spec(name) is None:
            raise GanlipError(f"loggers={name} needs the {name} package: pip install 'ganlip[{name}]'.")
    if config.wandb_mode not in (None, "online", "offline", "disabled"):
        raise GanlipError(f"wandb_mode '{config.wandb_mode}' is not valid; use online, offline or disabled.")
    positive = ["steps", "n_critic", "batch_size", "log_every", "sample_every", "checkpoint_every", "n_samples"]
    positive += ["decay_steps", "measure_every", "measure_samples", "score_samples"]
    positive += ["resolution", "latent_dim", "width", "depth", "lr", "num_classes"]
    for key in positive:
        value = getattr(config, key)
        if value is not None and value <= 0:
            raise GanlipError(f"config key '{key}' must be positive, got {value}.")
    for key in ("num_workers", "score_every", "keep_checkpoints"):
        if getattr(config, key) < 0:
            raise GanlipError(f"config key '{key}' must be 0 or more, got {getattr(config, key)}.")
    from ganlip.metrics.fid import DIMS

    if config.fid_dims not in DIMS:
        raise GanlipError(
            f"fid_dims must be one of pytorch-fid's blocks {', '.join(map(str, DIMS))}; got {config.fid_dims}."
        )
    check_device(config.device)
    if config.optimizer is not None and config.optimizer not in OPTIMIZERS:
        raise GanlipError(f"optimizer '{config.optimizer}' is not valid; use one of {', '.join(OPTIMIZERS)}.")
    if config.betas is not None and (len(config.betas) != 2 or not all(0 <= b < 1 for b in config.betas)):
        raise GanlipError(f"betas must be two numbers in [0, 1), got {config.betas}.")
    if config.amp not in AMP_MODES:
        raise GanlipError(f"amp '{config.amp}' is not valid; use one of {', '.join(AMP_MODES)}.")
    if config.critic_schedule not in (None, *CRITIC_SCHEDULES):
        raise GanlipError(
            f"critic_schedule '{config.critic_schedule}' is not valid; use one of {', '.join(CRITIC_SCHEDULES)}."
        )
    if config.lr_decay not in ("none", "linear"):
        raise GanlipError(f"lr_decay '{config.lr_decay}' is not valid; use none or linear.")
    if not 0 <= config.ema_decay < 1:
        raise GanlipError(f"ema_decay must be in [0, 1) (0 turns the average off), got {config.ema_decay}.")
    if config.g_batch_size is not None and config.g_batch_size <= 0:
        raise GanlipError(f"config key 'g_batch_size' must be positive, got {config.g_batch_size}.")
    if config.ema_start < 0:
        raise GanlipError(f"config key 'ema_start' must be 0 or more, got {config.ema_start}.")
    from ganlip.metrics.features import AUTO, NONE, available_features
    from ganlip.metrics.registry import available_metrics

    unknown_metrics = sorted(set(config.score_metrics) - set(available_metrics()))
    if unknown_metrics:
        raise GanlipError(
            f"score_metrics: unknown metric '{unknown_metrics[0]}'; valid: {', '.join(available_metrics())}."
        )
    if "is" in config.score_metrics and config.features in (AUTO, "inception") and config.fid_dims != 2048:
        raise GanlipError(
            f"score_metrics: the Inception Score reads Inception's 2048-d pool features; set fid_dims=2048, not "
            f"{config.fid_dims}, or score is on a shipped network (features=fashion-cnn)."
        )
    if "is" in config.score_metrics and config.score_samples is not None and config.score_samples < 10:
        raise GanlipError(f"score_samples: the Inception Score needs at least 10 samples, got {config.score_samples}.")
    if config.features not in (AUTO, NONE, *available_features()):
        raise GanlipError(
            f"features: unknown feature network '{config.features}'; valid: {AUTO}, {NONE}, "
            f"{', '.join(available_features())}."
        )
    if not config.constraint.strip():
        raise GanlipError("constraint is empty; name a strategy such as 'sn' or 'none'.")
    if config.num_classes is not None and not config.conditional:
        raise GanlipError(
            "num_classes is only read by a conditional run, which takes it from the data; drop it, or add "
            "conditional=true."
        )


def _default_metrics() -> list[str]:
    from ganlip.metrics.registry import default_metrics

    return default_metrics()
