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


def labelled_eight_gaussians(n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """`n` points and the mode (0-7, counter-clockwise from angle 0) each was drawn from."""
    angles = torch.arange(8) * (math.pi / 4)
    centers = 2.0 * torch.stack([angles.cos(), angles.sin()], dim=1)
    which = torch.randint(8, (n,), generator=generator)
    return (centers[which] + 0.02 * torch.randn(n, 2, generator=generator)) / 1.414, which


def labelled_twenty_five_gaussians(n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """`n` points and the mode (0-24, row-major over the 5x5 grid) each was drawn from."""
    grid = torch.arange(-2, 3, dtype=torch.float32) * 2.0
    centers = torch.cartesian_prod(grid, grid)
    which = torch.randint(25, (n,), generator=generator)
    return (centers[which] + 0.05 * torch.randn(n, 2, generator=generator)) / 2.828, which


def eight_gaussians(n: int, generator: torch.Generator) -> Tensor:
    return labelled_eight_gaussians(n, generator)[0]


def twenty_five_gaussians(n: int, generator: torch.Generator) -> Tensor:
    return labelled_twenty_five_gaussians(n, generator)[0]


def swiss_roll(n: int, generator: torch.Generator) -> Tensor:
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator))
    points = torch.stack([t * t.cos(), t * t.sin()], dim=1)
    return (points + 0.25 * torch.randn(n, 2, generator=generator)) / 7.5


def checkerboard(n: int, generator: torch.Generator) -> Tensor:
    x = 4 * torch.rand(n, generator=generator) - 2
    y = torch.rand(n, generator=generator) - 2 * torch.randint(2, (n,), generator=generator)
    y = y + torch.floor(x) % 2
    return torch.stack([x, y], dim=1)


# name: (sampler, classes); a labelled sampler returns the points and the mode each was drawn from
TOYS = {
    "8gaussians": (labelled_eight_gaussians, 8),
    "25gaussians": (labelled_twenty_five_gaussians, 25),
    "swissroll": (swiss_roll, 0),
    "checkerboard": (checkerboard, 0),
}


def _toy_loader(sampler, classes: int):
    def load(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> InMemory:
        drawn = sampler(N_POINTS, torch.Generator().manual_seed(seed))
        if classes:
            return InMemory(drawn[0], labels=drawn[1], classes=classes)
        return InMemory(drawn)

    return load


for _name, (_sampler, _classes) in TOYS.items():
    register_data(_name, kind="points", arch="mlp", classes=_classes)(_toy_loader(_sampler, _classes))
