"""Generator export: safetensors weights with a JSON sidecar, and optionally a torch.export program."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from ganlip.atomic import atomic_path, write_text
from ganlip.errors import GanlipError
from ganlip.models import sizes_from
from ganlip.trained import EXPORT_FORMAT, restore, sidecar_path

FORMATS = ("safetensors", "export")


EXPORT_FIX = "free disk space or export to another --out"


def export_generator(source: str | Path, out: str | Path, formats: tuple[str, ...] = ("safetensors",)) -> list[Path]:
    """Write the generator of a run directory or checkpoint `source` to `out` (`.safetensors` + `.json`
    sidecar), and with "export" in `formats` also a `.pt2` torch.export program. Returns the written paths."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise GanlipError(f"unknown export format '{sorted(unknown)[0]}'; valid: {', '.join(FORMATS)}.")
    restored = restore(source)
    generator, config = restored.generator, restored.config
    meta = {
        "format": EXPORT_FORMAT,
        "arch": config.arch,
        "data_shape": list(restored.data_shape),
        "sizes": sizes_from(config.to_dict()),
        "resolution": config.resolution,
        "classes": config.num_classes if config.conditional else None,
        "step": restored.step,
        "ema": restored.averaged,
        "config": config.to_dict(),
    }
    out = Path(out).with_suffix(".safetensors")
    with atomic_path(out, EXPORT_FIX) as temporary:
        save_file({k: v.contiguous() for k, v in generator.state_dict().items()}, str(temporary))
    write_text(sidecar_path(out), json.dumps(meta, indent=2), EXPORT_FIX)
    written = [out, sidecar_path(out)]
    if "export" in formats:
        written.append(export_program(generator, generator.latent_dim, out.with_suffix(".pt2")))
    return written


def export_program(generator: nn.Module, latent_dim: int, path: Path) -> Path:
    """Save `generator` as a torch.export program with a dynamic batch size: it runs with torch alone, as `g(z)`,
    or for a conditional generator as `g(z, y)` with `y` the int64 classes `(B,)`."""
    batch = torch.export.Dim("batch", min=1, max=65536)
    example: tuple[torch.Tensor, ...] = (torch.randn(2, latent_dim),)
    if getattr(generator, "classes", None) is not None:
        example = (*example, torch.zeros(2, dtype=torch.long))
    program = torch.export.export(generator, example, dynamic_shapes=tuple({0: batch} for _ in example))
    with atomic_path(path, EXPORT_FIX) as temporary:
        torch.export.save(program, str(temporary))
    return path
