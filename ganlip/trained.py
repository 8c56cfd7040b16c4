"""Trained networks: `restore` is the one way to rebuild them, from a run directory, a checkpoint file or an exported
generator. Every tool that reads a trained run (inspect, export, sample, score, compare) and the Python API use it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from ganlip import config as config_module
from ganlip.builders import build_networks
from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config
from ganlip.errors import GanlipError
from ganlip.jsonlines import read_json
from ganlip.models import build_model

# What an exported generator's JSON sidecar (a Hub folder's config.json) says it is.
EXPORT_FORMAT = "ganlip-generator"
HUB_WEIGHTS, HUB_CONFIG = "model.safetensors", "config.json"  # huggingface_hub's PyTorchModelHubMixin names


@dataclass
class Restored:
    """A trained run's networks, in eval mode. `generator` is the one that samples: the moving average when the
    run kept one (`averaged`). `critic` is None for an exported generator, which holds no critic."""

    config: Config
    generator: nn.Module
    critic: nn.Module | None
    data_shape: tuple[int, ...]
    step: int
    averaged: bool


def restore(source: str | Path, device: str | torch.device = "cpu") -> Restored:
    """Rebuild the networks of `source`: a run directory (its last checkpoint), a checkpoint file, a
    `.safetensors` generator written by `ganlip export` (with its `.json` sidecar), or a Hub folder written by
    `ganlip export --format hf` (`model.safetensors` and `config.json`)."""
    path = Path(source)
    if path.suffix == ".safetensors":
        return _from_export(path, sidecar_path(path), device)
    if path.is_dir() and (path / HUB_CONFIG).is_file():
        return _from_export(path / HUB_WEIGHTS, path / HUB_CONFIG, device)
    checkpoint = load_checkpoint(path, map_location=device)
    config = config_module.from_dict(checkpoint["config"])
    data_shape = tuple(checkpoint["data_shape"])
    generator, critic, _ = build_networks(config, data_shape)
    averaged = checkpoint.get("generator_ema") is not None
    generator.load_state_dict(checkpoint["generator_ema" if averaged else "generator"])
    critic.load_state_dict(checkpoint["critic"])
    return Restored(
        config, generator.to(device).eval(), critic.to(device).eval(), data_shape, checkpoint["step"], averaged
    )


def load_generator(path: str | Path, device: str | torch.device = "cpu") -> nn.Module:
    """The sampling generator of a run directory, checkpoint or exported `.safetensors` file, in eval mode."""
    return restore(path, device).generator


def sidecar_path(weights: Path) -> Path:
    return weights.with_suffix(".json")


def trained_on(*sources: str | Path) -> str | None:
    """The data set the first run directory or exported generator among `sources` was trained on."""
    import yaml

    for source in map(Path, sources):
        if (source / "config.yaml").is_file():
            return (yaml.safe_load((source / "config.yaml").read_text()) or {}).get("data")
        if source.suffix == ".safetensors" and sidecar_path(source).is_file():
            return read_json(sidecar_path(source)).get("config", {}).get("data")
        if (source / HUB_CONFIG).is_file():
            return read_json(source / HUB_CONFIG).get("config", {}).get("data")
    return None


def _from_export(path: Path, sidecar: Path, device: str | torch.device) -> Restored:
    if not path.is_file():
        raise GanlipError(f"generator file {path} does not exist; write one with `ganlip export RUN_DIR --out {path}`.")
    if not sidecar.is_file():
        raise GanlipError(f"{path} has no sidecar {sidecar}; export the generator again with `ganlip export`.")
    meta = read_json(sidecar)
    if meta.get("format") != EXPORT_FORMAT:
        raise GanlipError(f"{sidecar} is not a ganlip generator sidecar; export the generator with `ganlip export`.")
    try:
        weights = load_file(str(path), device=str(device))
    except (SafetensorError, OSError) as error:
        raise GanlipError(f"cannot read {path} ({error}); the file is damaged or truncated, export it again.") from None
    data_shape = tuple(meta["data_shape"])
    generator, _ = build_model(meta["arch"], data_shape, **meta["sizes"])
    generator.load_state_dict(weights)
    config = config_module.from_dict(meta["config"])
    return Restored(config, generator.to(device).eval(), None, data_shape, meta["step"], meta["ema"])
