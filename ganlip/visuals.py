"""Pictures of samples: a grid for images, a scatter over the data for 2-D points."""

from __future__ import annotations

import math
from pathlib import Path

from torch import Tensor
from torchvision.utils import make_grid, save_image


def image_grid(images: Tensor) -> Tensor:
    """Images in [-1, 1] `(N, C, H, W)` as one grid in [0, 1], as square as the count allows."""
    return make_grid(
        images.detach().float().cpu(),
        nrow=math.ceil(math.sqrt(len(images))),
        normalize=True,
        value_range=(-1, 1),
        padding=2,
    )


def scatter_figure(samples: Tensor, real: Tensor | None = None, title: str = ""):
    """A matplotlib figure of 2-D samples (orange) over real points (blue)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 5), dpi=100)
    if real is not None:
        axis.scatter(*real.detach().cpu().T, s=2, alpha=0.3, c="tab:blue", label="data")
    axis.scatter(*samples.detach().float().cpu().T, s=2, alpha=0.6, c="tab:orange", label="generated")
    axis.set_aspect("equal")
    axis.legend(loc="upper right", markerscale=4)
    axis.set_title(title)
    figure.tight_layout()
    return figure


def save_samples(samples: Tensor, path: Path, real: Tensor | None = None, title: str = ""):
    """Write a picture of `samples` to `path` and return what was drawn: a grid tensor for images, a
    matplotlib figure (already closed) for points."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if samples.dim() == 4:
        grid = image_grid(samples)
        save_image(grid, path)
        return grid
    import matplotlib.pyplot as plt

    figure = scatter_figure(samples, real, title)
    figure.savefig(path)
    plt.close(figure)
    return figure
