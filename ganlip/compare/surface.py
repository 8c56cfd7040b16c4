"""A trained 2-D critic on a grid: its values and gradients, with the data and the generator's samples
(the picture of the WGAN-GP paper's toy figure, Gulrajani et al. 2017, fig. 2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from ganlip import config as config_module
from ganlip.checkpoint import load_checkpoint
from ganlip.gradients import input_gradients
from ganlip.layers import evaluation
from ganlip.setup import build_run


@dataclass
class CriticField:
    x: Tensor  # (n, n) grid coordinates
    y: Tensor
    value: Tensor  # D on the grid, (n, n)
    gradient: Tensor  # ∇D on the grid, (n, n, 2)
    real: Tensor  # (m, 2) data points
    fake: Tensor  # (m, 2) generated points


def critic_field(run_dir: Path, n: int = 64, margin: float = 0.5) -> CriticField:
    """The field of the run's last checkpoint on an `n`×`n` grid that covers data and samples."""
    state = load_checkpoint(run_dir)
    config = config_module.from_dict(state["config"]).replace(device="cpu", num_workers=0)
    run = build_run(config, state)
    with evaluation(run.critic), evaluation(run.sampler), torch.no_grad():
        fake = run.sampler(run.measure_noise).float()
    real = run.reference.float()
    points = torch.cat([real, fake])
    low, high = points.min(0).values - margin, points.max(0).values + margin
    x, y = torch.meshgrid(torch.linspace(low[0], high[0], n), torch.linspace(low[1], high[1], n), indexing="xy")
    grid = torch.stack([x.flatten(), y.flatten()], dim=1)
    with evaluation(run.critic):
        gradient = input_gradients(run.critic, grid)
        with torch.no_grad():
            value = run.critic(grid)
    return CriticField(x, y, value.reshape(n, n), gradient.reshape(n, n, 2), real, fake)
