"""From the runs' metrics.jsonl to one row per strategy: mean and 95% interval over seeds."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

import numpy as np

from ganlip import reporting
from ganlip.compare.suite import PlannedRun
from ganlip.evaluate import samples_label
from ganlip.intervals import Interval, mean_interval
from ganlip.jsonlines import read_json_lines
from ganlip.metrics import keys
from ganlip.metrics.registry import key_named, keys_of

# Without a feature network, the quality metrics (lower is better) are distances to the data in pixel space; with
# one, the registry's quality metrics in its space (`fd/NAME`, `kid/NAME`).
QUALITY_WITHOUT_FEATURES = (keys.SWD, keys.W1_EXACT)
LABELS = {
    keys.SWD: "SWD",
    keys.W1_EXACT: "W1 to data",
    "tightness": "tightness",
    "scale_free_tightness": "tightness / Lip lower",
    "wasserstein_eval": "W estimate",
    "sec_per_step": "s / step",
    "peak_mb": "peak MB",
    "sigma_mean": "mean σ",
    "sigma_max": "max σ",
    "lipschitz_lower": "Lip lower",
    "lipschitz_upper": "Lip upper",
}


def beside_metrics() -> list[str]:
    """The scores shown beside the quality metrics when measured (higher is better): precision, recall, IS."""
    return [key.name for key in keys_of("beside") if key.better]


@dataclass
class RunHistory:
    run: PlannedRun
    lines: list[dict[str, float]]

    def series(self, key: str) -> tuple[list[int], list[float], list[float]]:
        """Steps, training seconds (measurements excluded) and values of `key` where it was logged."""
        steps, seconds, values, elapsed, previous = [], [], [], 0.0, 0
        for line in self.lines:
            elapsed += line.get(keys.SEC_PER_STEP, 0.0) * (line["step"] - previous)
            previous = line["step"]
            if key in line and math.isfinite(line[key]):
                steps.append(line["step"])
                seconds.append(elapsed)
                values.append(line[key])
        return steps, seconds, values

    def final(self, key: str) -> float | None:
        values = self.series(key)[2]
        return values[-1] if values else None

    def best(self, key: str) -> float | None:
        values = self.series(key)[2]
        return min(values) if values else None

    def layers(self, prefix: str = keys.SPECTRAL_NORM) -> list[str]:
        return sorted({key for line in self.lines for key in line if key.startswith(prefix)})


def seed_mean(histories: list[RunHistory], key: str) -> tuple[np.ndarray, ...] | None:
    """Steps, mean training seconds, mean, min and max of `key` over seeds, at the steps every seed logged."""
    series = [h.series(key) for h in histories]
    series = [s for s in series if s[0]]
    if not series:
        return None
    common = sorted(set.intersection(*(set(s[0]) for s in series)))
    if not common:
        return None
    pick = [[s[i][s[0].index(step)] for step in common] for s in series for i in (1, 2)]
    seconds, values = np.array(pick[0::2]), np.array(pick[1::2])
    return np.array(common), seconds.mean(0), values.mean(0), values.min(0), values.max(0)


def read_history(run: PlannedRun) -> RunHistory:
    path = run.run_dir / "metrics.jsonl"
    lines = read_json_lines(path) if path.exists() else []
    return RunHistory(run, lines)


def label(key: str, samples: int | None = None) -> str:
    """A metric's heading: `fd/inception` is FID, `fd/fashion-cnn` reads "FD (fashion-cnn)"; with the count of
    generated samples a Fréchet distance is computed on, "FID (10k)" and "FD (fashion-cnn, 5k)", since it grows
    as the count falls."""
    count = samples_label(samples) if samples else ""
    if key == "fd/inception":
        return f"FID ({count})" if count else "FID"
    metric, _, features = key.partition("/")
    if metric == "fd" and features:
        return f"FD ({features}{', ' + count if count else ''})"
    if (registered := key_named(metric)) is not None:  # the others use at most PAIRWISE_FEATURES samples a side
        return registered.label.format(features=features) if features else registered.label.replace(" ({features})", "")
    return LABELS.get(key, key)


def quality_keys(histories: list[RunHistory]) -> tuple[str, ...]:
    """The quality metrics the runs measured: the registry's in the first feature space they used, else SWD and
    W1 to the data."""
    measured = {key for history in histories for line in history.lines for key in line}
    first, *_ = quality = keys_of("quality")
    semantic = sorted(key for key in measured if key.startswith(f"{first.name}/"))
    if not semantic:
        return QUALITY_WITHOUT_FEATURES
    features = semantic[0].partition("/")[2]
    return tuple(found for key in quality if (found := key.logged(features)) in measured)


def features_of(quality: tuple[str, ...]) -> str | None:
    """The feature network the quality keys were measured in (None for pixel-space distances)."""
    return quality[0].partition("/")[2] or None


def run_summary(history: RunHistory, quality: tuple[str, ...]) -> dict[str, float | None]:
    """One run's numbers: final and best quality, the final measurements, cost."""
    summary: dict[str, float | None] = {}
    for key in quality:
        summary[f"final_{key}"] = history.final(key)
        summary[f"best_{key}"] = history.best(key)
    features = features_of(quality)
    for key in beside_metrics() if features else ():
        summary[key] = history.final(f"{key}/{features}")
    for key in (keys.TIGHTNESS, keys.WASSERSTEIN_EVAL):
        summary[key] = history.final(key)
    for key in history.layers(reporting.PREFIX):  # what the strategy reported of itself: its final values
        summary[key] = history.final(key)
    lower = history.final(keys.LIPSCHITZ_LOWER)
    summary["lipschitz_lower"] = lower
    summary["lipschitz_upper"] = history.final(keys.LIPSCHITZ_UPPER)
    tightness = summary["tightness"]
    summary["scale_free_tightness"] = tightness / lower if tightness is not None and lower else None
    sigmas = [history.final(layer) for layer in history.layers()]
    sigmas = [s for s in sigmas if s is not None]
    summary["sigma_mean"] = statistics.fmean(sigmas) if sigmas else None
    summary["sigma_max"] = max(sigmas) if sigmas else None
    steps, seconds, _ = history.series(keys.SEC_PER_STEP)
    summary["sec_per_step"] = seconds[-1] / steps[-1] if steps else None
    peaks = history.series(keys.PEAK_MB)[2]
    summary["peak_mb"] = max(peaks) if peaks else None
    return summary


@dataclass
class StrategyRow:
    constraint: str
    histories: list[RunHistory]
    per_seed: dict[str, list[float | None]] = field(default_factory=dict)  # each number, one per seed

    @property
    def seeds(self) -> int:
        return len(self.histories)

    @property
    def intervals(self) -> dict[str, Interval | None]:
        """Each number's mean over the seeds with its 95% bootstrap interval."""
        return {key: mean_interval(values) for key, values in self.per_seed.items()}


def strategy_rows(histories: list[RunHistory], quality: tuple[str, ...]) -> list[StrategyRow]:
    """One row per strategy of a part, in the order the part lists them."""
    order = list(dict.fromkeys(h.run.constraint for h in histories))
    rows = []
    for constraint in order:
        own = [h for h in histories if h.run.constraint == constraint and h.lines]
        summaries = [run_summary(h, quality) for h in own]
        keys = dict.fromkeys(key for summary in summaries for key in summary)
        rows.append(StrategyRow(constraint, own, {key: [s.get(key) for s in summaries] for key in keys}))
    return rows


def reported(row: StrategyRow) -> dict[str, Interval]:
    """The numbers a row's strategy reported of itself (`strategy/gp/penalty`, ...), final values over seeds."""
    intervals = row.intervals
    return {
        key.removeprefix(reporting.PREFIX): interval
        for key, interval in intervals.items()
        if key.startswith(reporting.PREFIX) and interval is not None
    }
