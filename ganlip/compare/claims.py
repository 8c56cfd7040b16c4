"""The claims of docs/strategies.md to measure, each judged from a part's rows by a rule stated with its verdict."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlip.compare.results import StrategyRow, label, seed_mean


@dataclass
class Verdict:
    claim: str
    verdict: str  # confirmed | refuted | inconclusive | not measured
    evidence: str


SN_FASTER = (
    "Spectral normalization reaches a given quality in fewer steps than the gradient penalty, each step cheaper."
)
FN_OVER_CONSTRAINS = "Frobenius normalization over-constrains and lowers the Wasserstein estimate."
CLIP_SIMPLE = "Weight clipping under-uses the critic's capacity (its critic looks like a simple function)."


def judge(rows: list[StrategyRow], quality: tuple[str, ...]) -> list[Verdict]:
    by_name = {row.constraint: row for row in rows if row.histories}
    return [sn_faster(by_name, quality[0]), fn_over_constrains(by_name), clip_simple(by_name)]


def _mean(row: StrategyRow, key: str) -> float | None:
    spread = row.spreads.get(key)
    return spread.mean if spread is not None else None


def _missing(claim: str, names: list[str], by_name: dict[str, StrategyRow]) -> Verdict | None:
    absent = [name for name in names if name not in by_name]
    if absent:
        return Verdict(claim, "not measured", f"this part did not train {', '.join(absent)}")
    return None


def steps_to_reach(row: StrategyRow, key: str, target: float) -> int | None:
    """The first logged step at which the seed-mean curve of `key` is at or below `target`."""
    curve = seed_mean(row.histories, key)
    if curve is None:
        return None
    steps, _, mean, _, _ = curve
    reached = np.nonzero(mean <= target)[0]
    return int(steps[reached[0]]) if len(reached) else None


def sn_faster(by_name: dict[str, StrategyRow], key: str) -> Verdict:
    """Target: the worse of the two strategies' best seed-mean quality, so that both reach it. Reaching it at
    the same measured step is a tie at the measurements' resolution: inconclusive."""
    if missing := _missing(SN_FASTER, ["sn", "gp"], by_name):
        return missing
    sn, gp = by_name["sn"], by_name["gp"]
    target = max(min(seed_mean(row.histories, key)[2]) for row in (sn, gp))
    steps = {name: steps_to_reach(row, key, target) for name, row in (("sn", sn), ("gp", gp))}
    cost = {name: _mean(row, "sec_per_step") for name, row in (("sn", sn), ("gp", gp))}
    cheaper = cost["sn"] < cost["gp"]
    evidence = (
        f"{label(key)} {target:.3g} first reached at step {steps['sn']} (sn) and {steps['gp']} (gp); "
        f"{cost['sn']:.3g} s against {cost['gp']:.3g} s per generator step"
    )
    if not cheaper or steps["sn"] > steps["gp"]:
        return Verdict(SN_FASTER, "refuted", evidence)
    return Verdict(SN_FASTER, "confirmed" if steps["sn"] < steps["gp"] else "inconclusive", evidence)


def fn_over_constrains(by_name: dict[str, StrategyRow]) -> Verdict:
    """Against `sn`, the same normalization with the spectral norm, which ‖W‖_F bounds from above: the largest
    measured gradient norm stays below 1 and below sn's, and the Wasserstein estimate is below sn's."""
    if missing := _missing(FN_OVER_CONSTRAINS, ["fn", "sn"], by_name):
        return missing
    fn, sn = by_name["fn"], by_name["sn"]
    estimate = {name: _mean(row, "wasserstein_eval") for name, row in (("fn", fn), ("sn", sn))}
    lower = {name: _mean(row, "lipschitz_lower") for name, row in (("fn", fn), ("sn", sn))}
    held = estimate["fn"] < estimate["sn"] and lower["fn"] < min(1.0, lower["sn"])
    evidence = (
        f"W estimate fn {estimate['fn']:.3g} against sn {estimate['sn']:.3g}; largest measured ‖∇D‖ "
        f"fn {lower['fn']:.3g} against sn {lower['sn']:.3g}"
    )
    return Verdict(FN_OVER_CONSTRAINS, "confirmed" if held else "refuted", evidence)


def clip_simple(by_name: dict[str, StrategyRow]) -> Verdict:
    """Judged by tightness / Lip lower, the share of W1 the critic captures once rescaled to unit gradient
    norm (so that clipping's small scale does not count against it): lowest of clip, gp, lp and sn."""
    if missing := _missing(CLIP_SIMPLE, ["clip", "gp"], by_name):
        return missing
    values = {
        name: _mean(by_name[name], "scale_free_tightness") for name in ("clip", "gp", "lp", "sn") if name in by_name
    }
    values = {name: value for name, value in values.items() if value is not None}
    shown = ", ".join(f"{name} {value:.3g}" for name, value in values.items())
    lowest = min(values, key=values.get) == "clip"
    return Verdict(CLIP_SIMPLE, "confirmed" if lowest else "refuted", f"tightness / Lip lower: {shown}")
