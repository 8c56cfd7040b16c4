"""Draw samples from a trained generator."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlip.trained import load_generator
from ganlip.visuals import save_samples


@torch.no_grad()
def sample_grid(generator_path: str | Path, n: int, out: str | Path, seed: int = 0) -> Path:
    """Write a picture of `n` samples (a grid, or a scatter for 2-D points) drawn with noise seeded by `seed`."""
    generator = load_generator(generator_path)
    noise = torch.randn(n, generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    out = Path(out)
    save_samples(generator(noise), out)
    return out
