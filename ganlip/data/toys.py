"""2-D toy distributions, as in the WGAN-GP toy experiments (gan_toy.py) and FFJORD's checkerboard."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor

from ganlip.data.in_memory import InMemory
from ganlip.data.registry import register_data

# Points drawn once per run (seeded); at batch 256 that is ~400 batches before a point repeats.
N_POINTS = 100_000


def eight_gaussians(n: int, generator: torch.Generator) -> Tensor:
    angles = torch.arange(8) * (math.pi / 4)
    centers = 2.0 * torch.stack([angles.cos(), angles.sin()], dim=1)
    which = torch.randint(8, (n,), generator=generator)
    return (centers[which] + 0.02 * torch.randn(n, 2, generator=generator)) / 1.414


def twenty_five_gaussians(n: int, generator: torch.Generator) -> Tensor:
    grid = torch.arange(-2, 3, dtype=torch.float32) * 2.0
    centers = torch.cartesian_prod(grid, grid)
    which = torch.randint(25, (n,), generator=generator)
    return (centers[which] + 0.05 * torch.randn(n, 2, generator=generator)) / 2.828


def swiss_roll(n: int, generator: torch.Generator) -> Tensor:
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator))
    points = torch.stack([t * t.cos(), t * t.sin()], dim=1)
    return (points + 0.25 * torch.randn(n, 2, generator=generator)) / 7.5


def checkerboard(n: int, generator: torch.Generator) -> Tensor:
    x = 4 * torch.rand(n, generator=generator) - 2
    y = torch.rand(n, generator=generator) - 2 * torch.randint(2, (n,), generator=generator)
    y = y + torch.floor(x) % 2
    return torch.stack([x, y], dim=1)


TOYS = {
    "8gaussians": eight_gaussians,
    "25gaussians": twenty_five_gaussians,
    "swissroll": swiss_roll,
    "checkerboard": checkerboard,
}


def _toy_loader(sampler):
    def load(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> InMemory:
        return InMemory(sampler(N_POINTS, torch.Generator().manual_seed(seed)))

    return load


for _name, _sampler in TOYS.items():
    register_data(_name, kind="points", arch="mlp")(_toy_loader(_sampler))
