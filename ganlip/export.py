"""Generator export: safetensors weights with a JSON sidecar, optionally a torch.export program, or a folder in the
Hugging Face Hub's layout (`config.json`, `model.safetensors`, a model card)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file
from torch import nn

from ganlip.atomic import atomic_path, write_text
from ganlip.errors import GanlipError
from ganlip.jsonlines import read_json_lines
from ganlip.metrics import keys
from ganlip.metrics.registry import key_named
from ganlip.models import sizes_from
from ganlip.trained import EXPORT_FORMAT, HUB_CONFIG, HUB_WEIGHTS, Restored, restore, sidecar_path

FORMATS = ("safetensors", "export")
HUB_CARD = "README.md"


EXPORT_FIX = "free disk space or export to another --out"


def export_generator(source: str | Path, out: str | Path, formats: tuple[str, ...] = ("safetensors",)) -> list[Path]:
    """Write the generator of a run directory or checkpoint `source` to `out` (`.safetensors` + `.json`
    sidecar), and with "export" in `formats` also a `.pt2` torch.export program. Returns the written paths."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise GanlipError(f"unknown export format '{sorted(unknown)[0]}'; valid: {', '.join(FORMATS)}, hf.")
    restored = restore(source)
    out = Path(out).with_suffix(".safetensors")
    _save_weights(restored.generator, out)
    write_text(sidecar_path(out), json.dumps(generator_meta(restored), indent=2), EXPORT_FIX)
    written = [out, sidecar_path(out)]
    if "export" in formats:
        written.append(export_program(restored.generator, restored.generator.latent_dim, out.with_suffix(".pt2")))
    return written


def export_hub_folder(source: str | Path, out: str | Path) -> list[Path]:
    """Write the generator of `source` as a folder in the layout of `huggingface_hub`'s `PyTorchModelHubMixin`:
    `config.json` (what builds it: architecture, data shape, sizes, the run's config), `model.safetensors` and a
    model card (`README.md`) made from the run. `ganlip.restore(folder)` and `ganlip sample folder` read it;
    `huggingface-cli upload` publishes it."""
    restored = restore(source)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    _save_weights(restored.generator, folder / HUB_WEIGHTS)
    write_text(folder / HUB_CONFIG, json.dumps(generator_meta(restored), indent=2), EXPORT_FIX)
    write_text(folder / HUB_CARD, model_card(restored, final_scores(Path(source))), EXPORT_FIX)
    return [folder / HUB_CONFIG, folder / HUB_WEIGHTS, folder / HUB_CARD]


def generator_meta(restored: Restored) -> dict[str, Any]:
    """What rebuilds the generator (the sidecar of an export, the `config.json` of a Hub folder)."""
    config = restored.config
    return {
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


def _save_weights(generator: nn.Module, path: Path) -> None:
    with atomic_path(path, EXPORT_FIX) as temporary:
        save_file({k: v.contiguous() for k, v in generator.state_dict().items()}, str(temporary))


def final_scores(source: Path) -> dict[str, float]:
    """The last value of each score and measurement the run logged (metrics.jsonl), for its model card."""
    run_dir = source if source.is_dir() else source.parent.parent  # a checkpoint sits in RUN/checkpoints/
    log = run_dir / "metrics.jsonl"
    scores: dict[str, float] = {}
    for record in read_json_lines(log) if log.is_file() else []:
        scores |= {key: value for key, value in record.items() if _is_score(key)}
    return scores


def _is_score(key: str) -> bool:
    return key in (keys.SWD, keys.W1_EXACT) or key_named(key.split("/")[0]) is not None


def model_card(restored: Restored, scores: dict[str, float]) -> str:
    """A Hub model card: metadata, what was trained how (data, architecture, strategy, recipe), its scores with
    how they were computed, and how to sample."""
    config = restored.config
    tags = ["ganlip", "gan", "wasserstein-gan", "lipschitz", config.arch or "", config.constraint]
    betas = ", ".join(f"{beta:g}" for beta in config.betas or ())
    lines = [
        "---",
        "library_name: ganlip",
        "tags:",
        *(f"- {tag}" for tag in tags if tag),
        "---",
        "",
        f"# {config.arch} generator, {config.data}, critic constrained by `{config.constraint}`",
        "",
        f"Trained with ganlip for {restored.step:,} generator steps"
        + (" (weights: the exponential moving average)." if restored.averaged else "."),
        "",
        "| setting | value |",
        "| --- | --- |",
        f"| data | `{config.data}`, samples of shape {tuple(restored.data_shape)} |",
        f"| architecture | `{config.arch}` {sizes_from(config.to_dict())} |",
        f"| Lipschitz strategy | `{config.constraint}` |",
        f"| loss | `{config.loss}` |",
        f"| optimizer | {config.optimizer}, lr {config.lr:g}, betas ({betas}), {config.n_critic} critic steps |",
        f"| batch | {config.batch_size} |",
        f"| seed | {config.seed} |",
        "",
        "## Scores",
        "",
    ]
    if scores:
        lines += [
            "| score | value |",
            "| --- | --- |",
            *(f"| `{key}` | {value:.6g} |" for key, value in scores.items()),
        ]
        lines += [
            "",
            f"The last values the run logged: Fréchet distance, KID and precision/recall in the `{config.features}` "
            f"feature space between {config.score_samples or 'the default number of'} generated samples and the "
            f"`{config.split}` split "
            "(on points, SWD and exact W1 between fixed generated and real points). Scores in another feature "
            "space, or from other sample counts, are not comparable with these.",
        ]
    else:
        lines.append("The run logged no scores.")
    lines += [
        "",
        "## Use",
        "",
        "```bash",
        "pip install ganlip",
        "ganlip sample THIS_FOLDER --n 64 --out samples.png",
        "```",
        "",
        "```python",
        "import ganlip",
        "generator = ganlip.restore('THIS_FOLDER').generator  # eval mode; generator(torch.randn(n, latent_dim))",
        "```",
        "",
    ]
    return "\n".join(lines)


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
