"""The one channel through which a component reports its own numbers, as stylegan2-ada's `training_stats.report`:
a strategy calls `report(name, value)` where it computes something worth watching (a part's penalty, a residual,
a gradient norm), and whoever runs it collects what was reported with `collect()`. The training loop logs what it
receives without naming any of it; outside a collection a report costs nothing and goes nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor

PREFIX = "strategy/"  # every reported name is logged under it: strategy/gp/penalty

_open: list[dict[str, list[Tensor]]] = []  # the collections under way, innermost last


def collecting() -> bool:
    """Whether a report would be kept: check it before computing a number only a report needs. Inside a graph
    torch.compile traces, never: a compiled critic stays free of side effects, and reports nothing."""
    return not torch.compiler.is_compiling() and bool(_open)  # the trace never reads the collections


def report(name: str, value: Tensor | float) -> None:
    """Report `value` (its mean, if a tensor of several) under `name`, e.g. `gp/penalty`; several reports of one
    name in one collection are averaged. The value is detached: reporting never changes what is trained."""
    if collecting():
        _open[-1].setdefault(PREFIX + name, []).append(torch.as_tensor(value).detach().float().mean())


@contextmanager
def collect() -> Iterator[dict[str, Tensor]]:
    """Collect the reports made inside the block; the dict it yields is filled, name to mean, when the block ends."""
    reported: dict[str, list[Tensor]] = {}
    results: dict[str, Tensor] = {}
    _open.append(reported)
    try:
        yield results
    finally:
        _open.pop()
        results.update({name: torch.stack(values).mean() for name, values in reported.items()})
