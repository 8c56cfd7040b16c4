"""Fréchet distance at Inception's 2048 dimensions: ganlip's generalized eigenproblem against pytorch-fid's
`calculate_frechet_distance` (scipy's sqrtm), on the same statistics, side by side.

    python benchmarks/frechet.py [--dims 2048] [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import torch
from pytorch_fid.fid_score import calculate_frechet_distance

from ganlip.metrics import frechet_distance

TARGET_SPEEDUP = 20


def random_statistics(dims: int, samples: int, rng: np.random.Generator, shift: float):
    features = rng.standard_normal((samples, dims)) @ rng.standard_normal((dims, dims)) / np.sqrt(dims) + shift
    return features.mean(0), np.cov(features, rowvar=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dims", type=int, default=2048)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    first = random_statistics(args.dims, args.samples, rng, 0.0)
    second = random_statistics(args.dims, args.samples, rng, 0.1)
    implementations = {
        "ganlip (sygv, float64)": frechet_distance,
        "pytorch-fid (scipy sqrtm)": calculate_frechet_distance,
    }
    times: dict[str, list[float]] = {name: [] for name in implementations}
    values = {}
    for _ in range(args.repeats):  # interleaved rounds
        for name, function in implementations.items():
            start = time.perf_counter()
            values[name] = float(function(*first, *second))
            times[name].append(time.perf_counter() - start)
    reference = statistics.median(times["pytorch-fid (scipy sqrtm)"])
    print(f"Fréchet distance at {args.dims} dims, median of {args.repeats} interleaved rounds")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    print(f"{'implementation':<28} {'seconds':>9} {'speed-up':>9} {'value':>16}")
    for name in implementations:
        median = statistics.median(times[name])
        print(f"{name:<28} {median:>9.3f} {reference / median:>8.1f}x {values[name]:>16.8f}")
    ours, theirs = values["ganlip (sygv, float64)"], values["pytorch-fid (scipy sqrtm)"]
    print(f"relative difference: {abs(ours - theirs) / abs(theirs):.2e}")
    speedup = statistics.median(times["pytorch-fid (scipy sqrtm)"]) / statistics.median(times["ganlip (sygv, float64)"])
    print(f"target: at least {TARGET_SPEEDUP:.0f}x pytorch-fid: {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}")


if __name__ == "__main__":
    main()
