"""Two comparison parts trained with the same seeds under different settings (float32 against bf16, a penalty
against its lazy form), side by side: per strategy and metric, the mean ± standard deviation over seeds of the
final value in each, their difference, and whether it lies within the seeds' spread (|Δ| ≤ std A + std B).

    python scripts/side_by_side.py runs/compare/fashion32 runs/speed/fashion32-bf16 \\
        --metrics fd/fashion-cnn,kid/fashion-cnn,precision/fashion-cnn,recall/fashion-cnn
    python scripts/side_by_side.py runs/speed/8gaussians runs/speed/8gaussians --pairs gp:gp_every=4 --metrics swd
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path


def final(run: Path, key: str) -> float | None:
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    if key == "sec_per_step":  # training time per generator step, measurements excluded
        seconds = [line["time/sec_per_step"] for line in lines if "time/sec_per_step" in line]
        return statistics.fmean(seconds) if seconds else None
    values = [line[key] for line in lines if key in line]
    return values[-1] if values else None


def spread(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def shown(mean: float, std: float) -> str:
    return f"{mean:.3g} ± {std:.2g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, help="a part's directory: STRATEGY/seedK/metrics.jsonl inside")
    parser.add_argument("second", type=Path)
    parser.add_argument("--metrics", required=True, help="comma-separated metrics.jsonl keys, or sec_per_step")
    parser.add_argument("--pairs", help="FIRST:SECOND strategy directories, comma-separated (default: same names)")
    parser.add_argument("--labels", default="A,B", help="column labels of the two sides")
    args = parser.parse_args()
    metrics = args.metrics.split(",")
    first_label, second_label = args.labels.split(",")
    if args.pairs:
        pairs = [tuple(pair.split(":")) for pair in args.pairs.split(",")]
    else:
        pairs = [(d.name, d.name) for d in sorted(args.first.iterdir()) if (args.second / d.name).is_dir()]
    print(f"| strategy | metric | {first_label} | {second_label} | Δ | within the seeds' spread |")
    print("| --- | --- | --- | --- | --- | --- |")
    for one, other in pairs:
        for key in metrics:
            sides = []
            for root, name in ((args.first, one), (args.second, other)):
                values = [final(run, key) for run in sorted((root / name).glob("seed*"))]
                sides.append(spread([v for v in values if v is not None]))
            (mean_a, std_a), (mean_b, std_b) = sides
            difference = mean_b - mean_a
            verdict = "yes" if abs(difference) <= std_a + std_b else "no"
            name = one if one == other else f"{one} / {other}"
            cells = [f"`{name}`", key, shown(mean_a, std_a), shown(mean_b, std_b), f"{difference:+.3g}", verdict]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
