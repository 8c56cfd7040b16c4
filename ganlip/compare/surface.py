"""A trained 2-D critic on a grid: its values and gradients, with the data and the generator's samples
(the picture of the WGAN-GP paper's toy figure, Gulrajani et al. 2017, fig. 2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from ganlip.builders import dataset_for
from ganlip.conditioning import conditioned
from ganlip.gradients import input_gradients, scores
from ganlip.setup import measurement_set
from ganlip.trained import restore


@dataclass
class CriticField:
    x: Tensor  # (n, n) grid coordinates
    y: Tensor
    value: Tensor  # D on the grid, (n, n)
    gradient: Tensor  # ∇D on the grid, (n, n, 2)
    real: Tensor  # (m, 2) data points
    fake: Tensor  # (m, 2) generated points


def critic_field(run_dir: Path, n: int = 64, margin: float = 0.5) -> CriticField:
    """The field of the run's last checkpoint on an `n`×`n` grid that covers data and samples; a conditional
    run's samples are generated for the real points' classes, and its field is the critic's at class 0."""
    restored = restore(run_dir)
    config, critic = restored.config, restored.critic
    dataset = dataset_for(config)
    real, noise, labels = measurement_set(config, dataset, restored.generator.latent_dim)
    with torch.no_grad():
        fake = conditioned(restored.generator, labels)(noise).float()
    if labels is not None:
        critic = conditioned(critic, torch.zeros(1, dtype=torch.long))
    real = real.float()
    points = torch.cat([real, fake])
    low, high = points.min(0).values - margin, points.max(0).values + margin
    x, y = torch.meshgrid(torch.linspace(low[0], high[0], n), torch.linspace(low[1], high[1], n), indexing="xy")
    grid = torch.stack([x.flatten(), y.flatten()], dim=1)
    gradient = input_gradients(critic, grid)
    with torch.no_grad():
        value = scores(critic(grid), len(grid))
    return CriticField(x, y, value.reshape(n, n), gradient.reshape(n, n, 2), real, fake)
