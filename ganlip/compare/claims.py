"""The claims of docs/strategies.md to measure, each judged from a part's rows by the rule of `ganlip.intervals`:
a difference between strategies counts only when its 95% bootstrap interval over the seeds excludes zero."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ganlip import intervals
from ganlip.compare.results import StrategyRow, label, seed_mean
from ganlip.intervals import contrast_interval, difference_interval
from ganlip.metrics import keys


@dataclass
class Verdict:
    claim: str
    verdict: str  # confirmed | refuted | inconclusive | not measured
    evidence: str
    rule: str = intervals.RULE


SN_FASTER = "Spectral normalization reaches a given quality in less training time than the gradient penalty."
FN_OVER_CONSTRAINS = "Frobenius normalization over-constrains and lowers the Wasserstein estimate."
CLIP_SIMPLE = "Weight clipping under-uses the critic's capacity (its critic looks like a simple function)."
GP_CONDITIONAL = (
    "The gradient penalty on interpolates degrades with many classes and in conditional generation, where spectral "
    "normalization does not."
)
GP_CONDITIONAL_RULE = (
    "per seed the log of the final quality; the interval of (gp − sn) conditional minus (gp − sn) unconditional, "
    "each strategy's seeds resampled on their own, must exclude zero above it (gp relatively worse when "
    "conditional)"
)


def judge(rows: list[StrategyRow], quality: tuple[str, ...]) -> list[Verdict]:
    by_name = {row.constraint: row for row in rows if row.histories}
    return [sn_faster(by_name, quality[0]), fn_over_constrains(by_name), clip_simple(by_name)]


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


def seconds_to_reach(row: StrategyRow, key: str, target: float) -> list[float]:
    """Per seed, the training seconds until `key` is first at or below `target`; a seed that never gets there
    counts its whole training time (a lower bound of its time to reach it)."""
    found = []
    for history in row.histories:
        _, seconds, values = history.series(key)
        reached = [second for second, value in zip(seconds, values, strict=True) if value <= target]
        total = history.series(keys.SEC_PER_STEP)[1]
        found.append(reached[0] if reached else (total[-1] if total else float("nan")))
    return found


def combined(verdicts: list[str]) -> str:
    """Several conditions of one claim: refuted if any is, confirmed if all are, else inconclusive."""
    if "refuted" in verdicts:
        return "refuted"
    return "confirmed" if all(v == "confirmed" for v in verdicts) else "inconclusive"


def sn_faster(by_name: dict[str, StrategyRow], key: str) -> Verdict:
    """Target: the worse of the two strategies' best seed-mean quality, so that both reach it; the difference
    of the per-seed training seconds to reach it, sn − gp, must be below zero."""
    if missing := _missing(SN_FASTER, ["sn", "gp"], by_name):
        return missing
    sn, gp = by_name["sn"], by_name["gp"]
    target = max(min(seed_mean(row.histories, key)[2]) for row in (sn, gp))
    seconds = {name: seconds_to_reach(row, key, target) for name, row in (("sn", sn), ("gp", gp))}
    difference = difference_interval(seconds["sn"], seconds["gp"])
    steps = {name: steps_to_reach(row, key, target) for name, row in (("sn", sn), ("gp", gp))}
    evidence = (
        f"{label(key)} {target:.3g} first reached by the seed means at step {steps['sn']} (sn) and {steps['gp']} "
        f"(gp); training seconds to reach it, sn − gp: {difference}"
    )
    return Verdict(SN_FASTER, intervals.verdict(difference, -1), evidence)


def fn_over_constrains(by_name: dict[str, StrategyRow]) -> Verdict:
    """Against `sn`, the same normalization with the spectral norm, which ‖W‖_F bounds from above: the Wasserstein
    estimate below sn's, and the largest measured gradient norm below 1 (both differences excluding zero)."""
    if missing := _missing(FN_OVER_CONSTRAINS, ["fn", "sn"], by_name):
        return missing
    fn, sn = by_name["fn"], by_name["sn"]
    estimate = difference_interval(fn.per_seed[keys.WASSERSTEIN_EVAL], sn.per_seed[keys.WASSERSTEIN_EVAL])
    below_one = difference_interval(fn.per_seed["lipschitz_lower"], 1.0)
    evidence = f"W estimate fn − sn: {estimate}; largest measured ‖∇D‖ of fn − 1: {below_one}"
    verdict = combined([intervals.verdict(estimate, -1), intervals.verdict(below_one, -1)])
    return Verdict(FN_OVER_CONSTRAINS, verdict, evidence, intervals.RULE + "; both must hold")


def clip_simple(by_name: dict[str, StrategyRow]) -> Verdict:
    """Judged by tightness / Lip lower, the share of W1 the critic captures once rescaled to unit gradient
    norm (so that clipping's small scale does not count against it): clip's below each of gp, lp and sn."""
    if missing := _missing(CLIP_SIMPLE, ["clip", "gp"], by_name):
        return missing
    key = "scale_free_tightness"
    others = [name for name in ("gp", "lp", "sn") if name in by_name]
    found = {name: difference_interval(by_name["clip"].per_seed[key], by_name[name].per_seed[key]) for name in others}
    evidence = "tightness / Lip lower, clip − other: " + ", ".join(f"{name} {d}" for name, d in found.items())
    verdict = combined([intervals.verdict(d, -1) for d in found.values()])
    return Verdict(CLIP_SIMPLE, verdict, evidence, intervals.RULE + "; against each of them")


def gp_conditional(conditional: list[StrategyRow], unconditional: list[StrategyRow], key: str) -> Verdict:
    """gp's quality relative to sn's (a log ratio, so that the parts' scales cancel), worse in the conditional part
    than in its unconditional counterpart on the same data; `gp:pairs=any` beside `gp` in the conditional part
    tells whether interpolating across classes is what hurts."""
    cond = {row.constraint: row for row in conditional if row.histories}
    plain = {row.constraint: row for row in unconditional if row.histories}
    absent = [
        f"{name} ({where})"
        for where, rows in (("conditional", cond), ("unconditional", plain))
        for name in ("gp", "sn")
        if name not in rows
    ]
    if absent:
        return Verdict(GP_CONDITIONAL, "not measured", f"missing {', '.join(absent)}", GP_CONDITIONAL_RULE)

    def logs(row: StrategyRow) -> list[float]:
        found = row.per_seed.get(f"final_{key}", [])
        return [math.log(v) for v in found if v is not None and math.isfinite(v) and v > 0]

    gap = contrast_interval(
        [(logs(cond["gp"]), 1), (logs(cond["sn"]), -1), (logs(plain["gp"]), -1), (logs(plain["sn"]), 1)]
    )
    evidence = f"log {label(key)}, (gp − sn) conditional − (gp − sn) unconditional: {gap}"
    if "gp:pairs=any" in cond:
        across = difference_interval(logs(cond["gp:pairs=any"]), logs(cond["gp"]))
        evidence += f"; conditional, gp:pairs=any − gp (interpolating across classes): {across}"
    return Verdict(GP_CONDITIONAL, intervals.verdict(gap, +1), evidence, GP_CONDITIONAL_RULE)
