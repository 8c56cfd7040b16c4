"""The report's matplotlib figures, one PNG each: quality against steps and time, per-layer spectral norms
over training, toy critics' value surfaces with their gradient fields, and the last sample grids."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ganlip.atomic import atomic_path
from ganlip.compare.results import StrategyRow, label, seed_mean
from ganlip.metrics import keys

if TYPE_CHECKING:
    from ganlip.compare.surface import CriticField

DPI = 110


def colours(rows: list[StrategyRow]) -> dict[str, str]:
    """One colour per strategy, the same in every figure of a part."""
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return {row.constraint: cycle[i % len(cycle)] for i, row in enumerate(rows)}


def panels(count: int, width: float, height: float):
    """A figure with `count` panels, three to a line; the spare places of the last line stay blank."""
    columns = min(count, 3)
    lines = -(-count // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(width * columns, height * lines), squeeze=False)
    for axis in axes.flat[count:]:
        axis.axis("off")
    return figure, axes.flat[:count]


def _scale(axis) -> None:
    """Log scale where the curves span more than a factor of 10, linear otherwise (readable ticks)."""
    values = [y for line in axis.get_lines() for y in line.get_ydata() if y > 0]
    if values and max(values) > 10 * min(values):
        axis.set_yscale("log")


def save_figure(figure, path: Path) -> Path:
    try:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, dpi=DPI, bbox_inches="tight", format=path.suffix.lstrip("."))
    finally:
        plt.close(figure)
    return path


def quality_curves(rows: list[StrategyRow], quality: tuple[str, ...], path: Path, samples: int | None = None) -> Path:
    """Each quality metric against generator steps and against training time: seed mean, band min to max."""
    colour = colours(rows)
    figure, axes = plt.subplots(len(quality), 2, figsize=(10, 3.4 * len(quality)), squeeze=False)
    for metric_axes, key in zip(axes, quality, strict=True):
        for row in rows:
            curve = seed_mean(row.histories, key)
            if curve is None:
                continue
            steps, seconds, mean, low, high = curve
            for axis, x in zip(metric_axes, (steps, seconds), strict=True):
                axis.plot(x, mean, color=colour[row.constraint], label=row.constraint, marker=".")
                if row.seeds > 1:
                    axis.fill_between(x, low, high, color=colour[row.constraint], alpha=0.15)
        for axis, x_label in zip(metric_axes, ("generator steps", "training seconds"), strict=True):
            axis.set_xlabel(x_label)
            axis.set_ylabel(label(key, samples))
            _scale(axis)
            axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize="small")
    figure.suptitle("Quality (lower is better): mean over seeds, band from best to worst seed")
    return save_figure(figure, path)


def spectral_curves(rows: list[StrategyRow], path: Path) -> Path | None:
    """Per-layer spectral norms (σ of the weight matrix) over training, first seed, one panel per strategy."""
    shown = [row for row in rows if row.histories and row.histories[0].layers()]
    if not shown:
        return None
    figure, axes = panels(len(shown), 4.2, 3.2)
    for axis, row in zip(axes, shown, strict=True):
        history = row.histories[0]
        for layer in history.layers():
            steps, _, values = history.series(layer)
            axis.plot(steps, values, label=layer.removeprefix(keys.SPECTRAL_NORM), marker=".")
        axis.set_title(row.constraint)
        axis.set_xlabel("generator steps")
        axis.set_ylabel("σ(W)")
        _scale(axis)
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize="x-small")
    figure.suptitle("Largest singular value of each critic layer's weight matrix")
    figure.tight_layout()
    return save_figure(figure, path)


def critic_surfaces(fields: dict[str, CriticField], path: Path) -> Path:
    """For each strategy, the critic's value (colour) and gradient field (arrows) with data and samples."""
    figure, axes = panels(len(fields), 4.6, 4.2)
    for axis, (constraint, field) in zip(axes, fields.items(), strict=True):
        surface = axis.contourf(field.x, field.y, field.value, levels=20, cmap="viridis")
        figure.colorbar(surface, ax=axis, shrink=0.8)
        step = max(1, len(field.x) // 16)
        axis.quiver(
            field.x[::step, ::step],
            field.y[::step, ::step],
            field.gradient[::step, ::step, 0],
            field.gradient[::step, ::step, 1],
            color="white",
            alpha=0.7,
        )
        axis.scatter(*field.real.T, s=2, c="tab:orange", alpha=0.5, label="data")
        axis.scatter(*field.fake.T, s=2, c="tab:red", alpha=0.5, label="generated")
        norms = field.gradient.norm(dim=-1)
        axis.set_title(f"{constraint}: ‖∇D‖ from {norms.min():.2g} to {norms.max():.2g}", fontsize="medium")
        axis.set_aspect("equal")
    axes[0].legend(loc="lower left", fontsize="x-small", markerscale=4)
    figure.suptitle("Critic value (colour), its gradient (arrows), data and samples at the end of training")
    figure.tight_layout()
    return save_figure(figure, path)


def sample_grids(pictures: dict[str, Path], path: Path) -> Path:
    """The last sample picture of each strategy, side by side."""
    figure, axes = plt.subplots(1, len(pictures), figsize=(3.6 * len(pictures), 3.9), squeeze=False)
    for axis, (constraint, picture) in zip(axes[0], pictures.items(), strict=True):
        axis.imshow(plt.imread(picture))
        axis.set_title(f"{constraint} ({picture.stem.replace('_', ' ')})")
        axis.axis("off")
    figure.tight_layout()
    return save_figure(figure, path)
