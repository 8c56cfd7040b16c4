"""The benchmark report's figures: cosine against iterations, the W1 estimate against the truth per dimension,
and for D = 2 each critic's learned potential beside the true one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlip.bench.results import Row
from ganlip.compare.figures import panels, plt, save_figure


def _colours(strategies: list[str]) -> dict[str, str]:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", ":"]
    return {name: (cycle[i % len(cycle)], styles[(i // len(cycle)) % 3]) for i, name in enumerate(strategies)}


def cosine_curves(rows: list[Row], path: Path) -> Path:
    """Per pair, the held-out cosine against iterations: the mean over seeds at the iterations all logged."""
    pairs = sorted({(row.dim, row.funnels) for row in rows})
    style = _colours(list(dict.fromkeys(row.strategy for row in rows)))
    figure, axes = panels(len(pairs), 4.6, 3.4)
    for axis, (dim, funnels) in zip(axes, pairs, strict=True):
        for row in (r for r in rows if (r.dim, r.funnels) == (dim, funnels)):
            curves = [{point["iteration"]: point["cosine"] for point in r["curve"]} for r in row.results]
            common = sorted(set.intersection(*(set(c) for c in curves)))
            if common:
                colour, line = style[row.strategy]
                mean = [np.mean([c[i] for c in curves]) for i in common]
                axis.plot(common, mean, line, color=colour, label=row.strategy, linewidth=1.2)
        axis.set_title(f"dim {dim}, {funnels} funnels")
        axis.set_xlabel("critic iterations")
        axis.set_ylabel("cosine to the OT gradient")
        axis.set_ylim(-0.2, 1.0)
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=6, ncol=2)
    return save_figure(figure, path)


def estimates_against_truth(rows: list[Row], path: Path) -> Path:
    """Per funnel count, each strategy's W1 estimate over the truth against the dimension (1: exact)."""
    counts = sorted({row.funnels for row in rows})
    style = _colours(list(dict.fromkeys(row.strategy for row in rows)))
    figure, axes = panels(len(counts), 4.6, 3.4)
    for axis, funnels in zip(axes, counts, strict=True):
        for strategy in style:
            own = sorted((r for r in rows if r.strategy == strategy and r.funnels == funnels), key=lambda r: r.dim)
            if own:
                ratios = [np.mean([x["w1_estimate"] / x["true_w1"] for x in r.results]) for r in own]
                colour, line = style[strategy]
                axis.plot([r.dim for r in own], ratios, line, marker="o", color=colour, label=strategy, markersize=3)
        axis.axhline(1.0, color="black", linewidth=0.8)
        axis.set_xscale("log", base=2)
        axis.set_title(f"{funnels} funnels")
        axis.set_xlabel("dimension")
        axis.set_ylabel("W1 estimate / true W1")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=6, ncol=2)
    return save_figure(figure, path)


def surfaces(rows: list[Row], path: Path) -> Path | None:
    """For each D = 2 pair: the true −f, then each strategy's critic (first seed), all shifted to mean zero."""
    flat = [row for row in rows if row.dim == 2 and "surface" in row.results[0]]
    if not flat:
        return None
    counts = sorted({row.funnels for row in flat})
    strategies = list(dict.fromkeys(row.strategy for row in flat))
    figure, axes = plt.subplots(
        len(counts), len(strategies) + 1, figsize=(2.2 * (len(strategies) + 1), 2.3 * len(counts)), squeeze=False
    )
    for line, funnels in zip(axes, counts, strict=True):
        for axis in line:
            axis.axis("off")
        own = {row.strategy: row for row in flat if row.funnels == funnels}
        first = next(iter(own.values())).results[0]["surface"]
        extent = (first["axis"][0], first["axis"][-1]) * 2
        panels = [("true −f", first["true"])] + [
            (s, own[s].results[0]["surface"]["learned"]) for s in strategies if s in own
        ]
        for axis, (title, values) in zip(line, panels, strict=False):
            axis.imshow(np.array(values).T, origin="lower", extent=extent, cmap="viridis")
            axis.contour(
                np.array(first["axis"]), np.array(first["axis"]), np.array(values).T, 12, colors="white", linewidths=0.4
            )
            axis.set_title(f"{title} ({funnels} f.)", fontsize=8)
    return save_figure(figure, path)
