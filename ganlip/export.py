"""Generator export: safetensors weights with a JSON sidecar, and optionally a torch.export program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from ganlip.checkpoint import load_checkpoint
from ganlip.errors import GanlipError
from ganlip.models import build_model, sizes_from

FORMAT = "ganlip-generator"
FORMATS = ("safetensors", "export")


def sidecar_path(weights: Path) -> Path:
    return weights.with_suffix(".json")


def export_generator(source: str | Path, out: str | Path, formats: tuple[str, ...] = ("safetensors",)) -> list[Path]:
    """Write the generator of a run directory or checkpoint `source` to `out` (`.safetensors` + `.json`
    sidecar), and with "export" in `formats` also a `.pt2` torch.export program. Returns the written paths."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise GanlipError(f"unknown export format '{sorted(unknown)[0]}'; valid: {', '.join(FORMATS)}.")
    generator, meta = generator_from_checkpoint(source)
    out = Path(out).with_suffix(".safetensors")
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in generator.state_dict().items()}, str(out))
    sidecar_path(out).write_text(json.dumps(meta, indent=2))
    written = [out, sidecar_path(out)]
    if "export" in formats:
        written.append(export_program(generator, generator.latent_dim, out.with_suffix(".pt2")))
    return written


def generator_from_checkpoint(source: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """The generator of a run directory or checkpoint, with the metadata a sidecar records."""
    checkpoint = load_checkpoint(Path(source))
    config = checkpoint["config"]
    averaged = checkpoint.get("generator_ema") is not None
    meta = {
        "format": FORMAT,
        "arch": config["arch"],
        "data_shape": checkpoint["data_shape"],
        "sizes": sizes_from(config),
        "resolution": config["resolution"],
        "step": checkpoint["step"],
        "ema": averaged,
        "config": config,
    }
    generator = _build(meta)
    generator.load_state_dict(checkpoint["generator_ema" if averaged else "generator"])
    return generator.eval(), meta


def export_program(generator: nn.Module, latent_dim: int, path: Path) -> Path:
    """Save `generator` as a torch.export program with a dynamic batch size: it runs with torch alone."""
    batch = torch.export.Dim("batch", min=1, max=65536)
    program = torch.export.export(generator, (torch.randn(2, latent_dim),), dynamic_shapes=({0: batch},))
    torch.export.save(program, str(path))
    return path


def _build(meta: dict[str, Any]) -> nn.Module:
    generator, _ = build_model(meta["arch"], tuple(meta["data_shape"]), **meta["sizes"])
    return generator


def load_generator(path: str | Path, device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild an exported generator (a `.safetensors` file with its `.json` sidecar), in eval mode."""
    path = Path(path)
    sidecar = sidecar_path(path)
    if not path.is_file():
        raise GanlipError(f"generator file {path} does not exist; write one with `ganlip export RUN_DIR --out {path}`.")
    if not sidecar.is_file():
        raise GanlipError(f"{path} has no sidecar {sidecar}; export the generator again with `ganlip export`.")
    try:
        meta = json.loads(sidecar.read_text())
    except json.JSONDecodeError:
        raise GanlipError(f"sidecar {sidecar} is not valid JSON; export the generator again.") from None
    if meta.get("format") != FORMAT:
        raise GanlipError(f"{sidecar} is not a ganlip generator sidecar; export the generator with `ganlip export`.")
    try:
        weights = load_file(str(path), device=str(device))
    except (SafetensorError, OSError) as error:
        raise GanlipError(f"cannot read {path} ({error}); the file is damaged or truncated, export it again.") from None
    generator = _build(meta).to(device)
    generator.load_state_dict(weights)
    return generator.eval()
