"""Draw samples from a trained generator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlip.layers import evaluation
from ganlip.trained import load_generator
from ganlip.visuals import save_image_files, save_samples


@torch.no_grad()
def generator_batches(
    generator: nn.Module, n: int, batch_size: int, device: torch.device, seed: int = 0
) -> Iterator[Tensor]:
    """`n` samples of `generator` in batches, from noise seeded by `seed`. The noise is drawn at once on the CPU,
    so the samples are the same whatever the batch size or device (and `sample --files` matches `score`)."""
    noise = torch.randn(n, generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    for start in range(0, n, batch_size):
        yield generator(noise[start : start + batch_size].to(device))


@torch.no_grad()
def sample_grid(generator_path: str | Path, n: int, out: str | Path, seed: int = 0) -> Path:
    """Write a picture of `n` samples (a grid, or a scatter for 2-D points) drawn with noise seeded by `seed`."""
    generator = load_generator(generator_path)
    noise = torch.randn(n, generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    out = Path(out)
    save_samples(generator(noise), out)
    return out


def sample_files(generator_path: str | Path, n: int, folder: str | Path, seed: int = 0, batch_size: int = 250) -> Path:
    """Write `n` samples as PNG files into `folder`, drawn as `ganlip score` draws a generator's (the same noise
    for the same seed and batch size), so that scoring the folder and the generator agree."""
    generator, folder = load_generator(generator_path), Path(folder)
    with evaluation(generator):
        for start, batch in zip(
            range(0, n, batch_size), generator_batches(generator, n, batch_size, torch.device("cpu"), seed), strict=True
        ):
            if batch.dim() != 4:
                from ganlip.errors import GanlipError

                raise GanlipError(f"{generator_path} generates points, not images; draw them as a picture instead.")
            save_image_files(batch, folder, start)
    return folder
