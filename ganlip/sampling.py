"""Draw samples from a trained generator, a conditional one for the classes asked for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlip.conditioning import balanced_classes
from ganlip.errors import GanlipError
from ganlip.layers import evaluation
from ganlip.trained import load_generator
from ganlip.visuals import save_image_files, save_samples


def generator_classes(generator: nn.Module) -> int | None:
    """The class count of a conditional generator; None for an unconditional one."""
    return getattr(generator, "classes", None)


def sample_classes(generator: nn.Module, n: int, chosen: int | None = None) -> Tensor | None:
    """The classes `n` samples of a conditional generator are drawn for: all `chosen`, or else the classes in turn
    (`0, 1, ..., 0, 1, ...`); None for an unconditional generator, which takes no class."""
    classes = generator_classes(generator)
    if classes is None:
        if chosen is not None:
            raise GanlipError(f"--class {chosen}: this generator is unconditional and takes no class; drop --class.")
        return None
    if chosen is None:
        return balanced_classes(n, classes)
    if not 0 <= chosen < classes:
        raise GanlipError(
            f"--class {chosen} is not a class of this generator, which has {classes} (0 to {classes - 1})."
        )
    return torch.full((n,), chosen, dtype=torch.long)


@torch.no_grad()
def generator_batches(
    generator: nn.Module,
    n: int,
    batch_size: int,
    device: torch.device,
    seed: int = 0,
    labels: Tensor | None = None,
) -> Iterator[Tensor]:
    """`n` samples of `generator` in batches, from noise seeded by `seed` (a conditional generator's for `labels`,
    by default the classes in turn). The noise is drawn at once on the CPU, so the samples are the same whatever
    the batch size or device (and `sample --files` matches `score`)."""
    noise = torch.randn(n, generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    if labels is None:
        labels = sample_classes(generator, n)
    for start in range(0, n, batch_size):
        chunk = noise[start : start + batch_size].to(device)
        if labels is None:
            yield generator(chunk)
        else:
            yield generator(chunk, labels[start : start + batch_size].to(device))


@torch.no_grad()
def sample_grid(generator_path: str | Path, n: int, out: str | Path, seed: int = 0, chosen: int | None = None) -> Path:
    """Write a picture of `n` samples (a grid, or a scatter for 2-D points) drawn with noise seeded by `seed`. A
    conditional generator's grid holds one row per class (as many columns as `n` allows), or `n` samples of the
    class `chosen`."""
    generator = load_generator(generator_path)
    classes = generator_classes(generator)
    columns = None
    if classes is not None and chosen is None:
        columns = max(1, n // classes)
        labels = torch.arange(classes).repeat_interleave(columns)
    else:
        labels = sample_classes(generator, n, chosen)
    count = len(labels) if labels is not None else n
    out = Path(out)
    save_samples(
        next(generator_batches(generator, count, count, torch.device("cpu"), seed, labels)),
        out,
        columns=columns,
        labels=labels,
    )
    return out


def sample_files(
    generator_path: str | Path,
    n: int,
    folder: str | Path,
    seed: int = 0,
    batch_size: int = 250,
    chosen: int | None = None,
) -> Path:
    """Write `n` samples as PNG files into `folder`, drawn as `ganlip score` draws a generator's (the same noise
    for the same seed and batch size; a conditional generator's for the classes in turn, or all of `chosen`), so
    that scoring the folder and the generator agree."""
    generator, folder = load_generator(generator_path), Path(folder)
    labels = sample_classes(generator, n, chosen)
    with evaluation(generator):
        batches = generator_batches(generator, n, batch_size, torch.device("cpu"), seed, labels)
        for start, batch in zip(range(0, n, batch_size), batches, strict=True):
            if batch.dim() != 4:
                raise GanlipError(f"{generator_path} generates points, not images; draw them as a picture instead.")
            save_image_files(batch, folder, start)
    return folder
