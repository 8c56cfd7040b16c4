"""The scores of generated samples against data, behind one registry (stylegan2-ada's `@register_metric`): each
metric says what it needs of the two sides, the keys it logs, which way is better and how reports head it.
Config validation, `--metrics`, `ganlip score`, the trainer and compare's report all read this table, so a new
metric is one module with one decorator."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ganlip.registry import Registry

# What a metric reads: the Fréchet statistics (mean, covariance) of both sides, the features themselves (at most
# PAIRWISE_FEATURES a side: pairwise distances of 10k² are 0.8 GB, of 50k² 20 GB), or the feature network's class
# logits of the generated side.
NEEDS = ("statistics", "features", "logits")
PAIRWISE_FEATURES = 10_000


@dataclass(frozen=True)
class Key:
    """One logged number, as `NAME/FEATURES` in metrics.jsonl (`fd/inception`)."""

    name: str
    label: str  # its heading in reports; `{features}` is replaced by the feature network's name
    better: str = "lower"  # lower | higher | "" (a spread, not a score)

    def logged(self, features: str) -> str:
        return f"{self.name}/{features}"


@dataclass(frozen=True)
class Sides:
    """The real and generated samples in one feature network's space, as the metrics read them."""

    real_mu: np.ndarray
    real_sigma: np.ndarray
    fake_mu: np.ndarray
    fake_sigma: np.ndarray
    real_features: np.ndarray | None = None
    fake_features: np.ndarray | None = None
    fake_logits: np.ndarray | None = None
    seed: int = 0
    # the classes of each side's rows, where both carry them (a conditional generator against labelled data): the
    # real side's those of `real_features`, the generated side's those of all its rows (as `fake_logits`)
    real_labels: np.ndarray | None = None
    fake_labels: np.ndarray | None = None
    _shared: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The real and generated features, for a metric that `needs="features"`."""
        if self.real_features is None or self.fake_features is None:
            raise ValueError("this metric needs the features of both sides")
        return self.real_features, self.fake_features

    def logits(self) -> np.ndarray:
        """The generated side's class logits, for a metric that `needs="logits"`."""
        if self.fake_logits is None:
            raise ValueError("this metric needs the generated side's class logits")
        return self.fake_logits

    def classes(self) -> tuple[np.ndarray, np.ndarray]:
        """The classes of the real and generated rows, for a metric of class-conditional generation."""
        if self.real_labels is None or self.fake_labels is None:
            raise ValueError("this metric needs the classes of both sides")
        return self.real_labels, self.fake_labels

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()` once for all the metrics of one scoring that need it (precision/recall and
        density/coverage share their neighbourhoods)."""
        if name not in self._shared:
            self._shared[name] = compute()
        return self._shared[name]


@dataclass(frozen=True)
class Metric:
    name: str  # as `--metrics` and `score_metrics` spell it
    needs: str
    keys: tuple[Key, ...]
    compute: Callable[[Sides], dict[str, float]]  # Key.name -> value
    summary: str  # for `ganlip score --help` and the docs
    role: str = ""  # quality (a report's main columns) | beside (shown next to them) | "" (logged only)
    default: bool = True  # computed when a config or `ganlip score` names no metrics
    # of class-conditional generation: reads both sides' classes, and is computed whenever both carry them
    conditional: bool = False


_METRICS: Registry[Metric] = Registry("metric")


def register_metric(
    name: str,
    needs: str,
    keys: tuple[Key, ...],
    summary: str,
    role: str = "",
    default: bool = True,
    conditional: bool = False,
) -> Callable[[Callable[[Sides], dict[str, float]]], Callable[[Sides], dict[str, float]]]:
    """Decorator: register `compute(sides) -> {key name: value}` as the metric `name`."""
    assert needs in NEEDS, needs

    def decorate(compute: Callable[[Sides], dict[str, float]]) -> Callable[[Sides], dict[str, float]]:
        _METRICS.add(name, Metric(name, needs, keys, compute, summary, role, default, conditional))
        return compute

    return decorate


def metric(name: str) -> Metric:
    _load()
    return _METRICS[name]


def available_metrics() -> list[str]:
    """The metrics' names, the defaults first, each group in its modules' order (fd, kid, pr, dc, then is): the
    order scores are computed and logged in."""
    _load()
    return [entry.name for entry in sorted(_METRICS.values(), key=lambda entry: not entry.default)]


def default_metrics() -> list[str]:
    return [name for name in available_metrics() if _METRICS[name].default]


def conditional_metrics() -> list[str]:
    """The metrics of class-conditional generation, computed whenever both sides carry classes."""
    return [name for name in available_metrics() if _METRICS[name].conditional]


def all_keys() -> list[Key]:
    return [key for name in available_metrics() for key in _METRICS[name].keys]


def keys_of(role: str) -> list[Key]:
    """The keys of the metrics with `role` (quality, beside), in registration order."""
    return [key for name in available_metrics() if _METRICS[name].role == role for key in _METRICS[name].keys]


def key_named(name: str) -> Key | None:
    return next((key for key in all_keys() if key.name == name), None)


def _load() -> None:
    """Import every module of `ganlip.metrics`: those that define a metric register it on import."""
    import ganlip.metrics

    for module in pkgutil.iter_modules(ganlip.metrics.__path__):
        importlib.import_module(f"ganlip.metrics.{module.name}")
