"""Pictures of samples: a grid for images, a scatter over the data for 2-D points."""

from __future__ import annotations

import math
from pathlib import Path

from torch import Tensor
from torchvision.utils import make_grid, save_image

from ganlip.atomic import atomic_path


def image_grid(images: Tensor, columns: int | None = None) -> Tensor:
    """Images in [-1, 1] `(N, C, H, W)` as one grid in [0, 1] of `columns` columns (None: as square as the count
    allows)."""
    return make_grid(
        images.detach().float().cpu(),
        nrow=columns or math.ceil(math.sqrt(len(images))),
        normalize=True,
        value_range=(-1, 1),
        padding=2,
    )


def as_saved(images: Tensor) -> Tensor:
    """Images in [-1, 1] exactly as an 8-bit PNG of them reads back: torchvision's `save_image` rounding,
    `floor(255 (x + 1) / 2 + 0.5)` clamped to [0, 255], then the image loaders' `q · 2/255 - 1`. Scores see
    generated images so, as they see real ones, and as pytorch-fid's command line sees a folder of samples."""
    levels = ((images.float().clamp(-1, 1) + 1) / 2 * 255 + 0.5).clamp(0, 255).floor()
    return levels * (2 / 255) - 1


def save_image_files(images: Tensor, folder: Path, first: int = 0) -> list[Path]:
    """Write each image of a batch in [-1, 1] as its own PNG, `folder/NNNNNN.png` numbered from `first`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, image in enumerate(images.detach().float().cpu(), first):
        path = folder / f"{index:06d}.png"
        with atomic_path(path) as temporary:
            save_image(image, temporary, normalize=True, value_range=(-1, 1), format="png")
        paths.append(path)
    return paths


def scatter_figure(samples: Tensor, real: Tensor | None = None, title: str = "", labels: Tensor | None = None):
    """A matplotlib figure of 2-D samples (orange, or coloured by the classes `labels` they were generated for)
    over real points (blue)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 5), dpi=100)
    if real is not None:
        axis.scatter(*real.detach().cpu().T, s=2, alpha=0.3, c="tab:blue", label="data")
    colours = {"c": "tab:orange"} if labels is None else {"c": labels.cpu().numpy(), "cmap": "tab20"}
    axis.scatter(*samples.detach().float().cpu().T, s=2, alpha=0.6, label="generated", **colours)
    axis.set_aspect("equal")
    axis.legend(loc="upper right", markerscale=4)
    axis.set_title(title)
    figure.tight_layout()
    return figure


def save_samples(
    samples: Tensor,
    path: Path,
    real: Tensor | None = None,
    title: str = "",
    columns: int | None = None,
    labels: Tensor | None = None,
):
    """Write a picture of `samples` to `path` and return what was drawn: a grid tensor for images (of `columns`
    columns: a conditional run's grid holds a row per class), a matplotlib figure (already closed) for points
    (coloured by their classes `labels` where given)."""
    if samples.dim() == 4:
        grid = image_grid(samples, columns)
        with atomic_path(path) as temporary:
            save_image(grid, temporary, format=path.suffix.lstrip(".") or "png")
        return grid
    import matplotlib.pyplot as plt

    figure = scatter_figure(samples, real, title, labels)
    try:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format=path.suffix.lstrip(".") or "png")
    finally:
        plt.close(figure)
    return figure
