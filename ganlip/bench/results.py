"""From the runs' result.json files to rows (one per strategy and pair, mean and 95% interval over seeds), the
paper's published figures beside them, and the claims the known optimal potential can settle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from ganlip import intervals
from ganlip.bench.plan import BenchRun
from ganlip.intervals import Interval, difference_interval, mean_interval
from ganlip.jsonlines import read_json

# The fields results.json holds for every run (and the curve of the held-out batch besides).
FIELDS = (
    "strategy",
    "constraint",
    "dim",
    "funnels",
    "seed",
    "true_w1",
    "w1_estimate",
    "cosine",
    "l2",
    "sec_per_iteration",
    "iterations",
    "peak_mb",
    "pair",
)
# The paper's names for the critics it ran, as its metrics CSVs spell them.
PAPER_METHODS = {
    "clip": "wgan",
    "gp": "wgan-gp",
    "lp": "wgan-lp",
    "sn": "sn-gan",
    "bjorck": "sort-out",
    "ctransform": "wgan-qp",
}


@dataclass
class Row:
    strategy: str  # as the user named it
    dim: int
    funnels: int
    results: list[dict]

    def interval(self, key: str) -> Interval | None:
        return mean_interval([result[key] for result in self.results])

    def values(self, key: str) -> list[float]:
        return [result[key] for result in self.results]

    @property
    def true_w1(self) -> float:
        return float(np.mean(self.values("true_w1")))


def collect(runs: list[BenchRun]) -> tuple[list[dict], list[Row]]:
    """The complete runs' results (in plan order) and their rows."""
    results: list[dict] = []
    rows: dict = {}
    for run in runs:
        if not run.complete:
            continue
        result = read_json(run.run_dir / "result.json")
        strategy = run.strategy
        result["strategy"] = strategy
        results.append(result)
        key = (strategy, result["dim"], result["funnels"])
        rows.setdefault(key, Row(strategy, result["dim"], result["funnels"], [])).results.append(result)
    return results, list(rows.values())


@cache
def published_metrics() -> dict[tuple[str, int, int], dict[str, float]]:
    """The paper's cos, l2 and cost per (method, dim, funnels): one critic seed, 4,096 samples."""
    sidecar = json.loads((resources.files("ganlip.bench.published") / "w1_funnels_nd.json").read_text())
    return {(row["method"], row["dim"], row["funnels"]): row for row in sidecar["published_metrics"]}


def paper_figures(strategy: str, dim: int, funnels: int) -> dict[str, float] | None:
    """The paper's figures for the method a spec names (its parameters aside: `clip:biases=false` is still the
    paper's WGAN); none for composites and for methods the paper did not run."""
    method = PAPER_METHODS.get(strategy.partition(":")[0])
    return published_metrics().get((method, dim, funnels)) if method else None


@dataclass
class Verdict:
    claim: str
    verdict: str
    evidence: str
    rule: str = intervals.RULE


FN_SN_UNDERESTIMATE = "Frobenius and spectral normalization underestimate W1 (their estimate falls below the truth)."
CLIP_DIRECTION = "Weight clipping's critic gradient points away from the optimal transport (cosine below gp's)."
GP_WHERE_SAMPLED = (
    "A penalty on interpolates holds only where it is sampled: gp's cosine falls as the pair has more funnels."
)


def judge(rows: list[Row]) -> list[Verdict]:
    return [*underestimates(rows), clip_direction(rows), gp_where_sampled(rows)]


def _by(rows: list[Row], strategy: str) -> list[Row]:
    return [row for row in rows if row.strategy == strategy]


def underestimates(rows: list[Row]) -> list[Verdict]:
    """Per strategy, over every pair: the estimate minus the truth, pooled as the per-seed ratio − 1 (so that
    pairs of different W1 weigh alike), against zero."""
    verdicts = []
    for strategy in ("fn", "sn"):
        own = _by(rows, strategy)
        if not own:
            verdicts.append(Verdict(f"{strategy}: {FN_SN_UNDERESTIMATE}", "not measured", f"no {strategy} runs"))
            continue
        gaps = [result["w1_estimate"] / result["true_w1"] - 1 for row in own for result in row.results]
        difference = difference_interval(gaps, 0.0)
        shown = "; ".join(f"dim {r.dim}/{r.funnels}: {r.interval('w1_estimate')} against {r.true_w1:.3g}" for r in own)
        verdicts.append(
            Verdict(
                f"{strategy}: {FN_SN_UNDERESTIMATE}",
                intervals.verdict(difference, -1),
                f"estimate / truth − 1 = {difference} over {len(gaps)} runs ({shown})",
            )
        )
    return verdicts


def clip_direction(rows: list[Row]) -> Verdict:
    """Per pair, clip's cosine against gp's; confirmed where every pair confirms, refuted where any refutes."""
    pairs = [(c, g) for c in _by(rows, "clip") for g in _by(rows, "gp") if (c.dim, c.funnels) == (g.dim, g.funnels)]
    if not pairs:
        return Verdict(CLIP_DIRECTION, "not measured", "needs clip and gp on the same pairs")
    found = [(c, difference_interval(c.values("cosine"), g.values("cosine"))) for c, g in pairs]
    verdicts = [intervals.verdict(difference, -1) for _, difference in found]
    shown = "; ".join(f"dim {c.dim}/{c.funnels}: clip − gp cosine {d}" for c, d in found)
    return Verdict(CLIP_DIRECTION, _all_pairs(verdicts), shown, intervals.RULE + "; on every pair")


def gp_where_sampled(rows: list[Row]) -> Verdict:
    """Per dimension with at least two funnel counts: gp's cosine at the most funnels minus at the fewest."""
    own = _by(rows, "gp")
    found = []
    for dim in sorted({row.dim for row in own}):
        counts = sorted((row for row in own if row.dim == dim), key=lambda row: row.funnels)
        if len(counts) >= 2:
            few, many = counts[0], counts[-1]
            found.append((dim, few, many, difference_interval(many.values("cosine"), few.values("cosine"))))
    if not found:
        return Verdict(GP_WHERE_SAMPLED, "not measured", "needs gp on at least two funnel counts of one dimension")
    verdicts = [intervals.verdict(difference, -1) for *_, difference in found]
    shown = "; ".join(
        f"dim {dim}: cosine {many.interval('cosine')} with {many.funnels} funnels against "
        f"{few.interval('cosine')} with {few.funnels} (difference {d}); |W1 error| "
        f"{_relative_error(many)} against {_relative_error(few)}"
        for dim, few, many, d in found
    )
    return Verdict(GP_WHERE_SAMPLED, _all_pairs(verdicts), shown, intervals.RULE + "; in every dimension")


def _relative_error(row: Row) -> str:
    return str(mean_interval([abs(r["w1_estimate"] / r["true_w1"] - 1) for r in row.results]))


def _all_pairs(verdicts: list[str]) -> str:
    if "refuted" in verdicts:
        return "refuted"
    return "confirmed" if all(v == "confirmed" for v in verdicts) else "inconclusive"
