"""Time of one generator step (with its critic steps) for every strategy, against an unconstrained step,
measured side by side in one run: interleaved rounds, medians. Peak memory is the CUDA allocator's peak
(CPU runs report none: the process's resident size does not isolate one strategy).

    python benchmarks/step_time.py                       # 32-px DCGAN, batch 64, on the CPU (and CUDA if present)
    python benchmarks/step_time.py --arch mlp --batch-size 256 --json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch

from ganlip.config import Config
from ganlip.constraints import available
from ganlip.data.memory import InMemory
from ganlip.models import family
from ganlip.train import Run, build_run, critic_step, generator_step, resolve

REFERENCES = {
    "torch-sn": "torch.nn.utils.parametrizations.spectral_norm on the same critic",
    "plain-gp": "a textbook two-sided gradient penalty (WGAN-GP's code, transcribed)",
}


def plain_gradient_penalty(critic: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device)
    interpolates = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(interpolates).sum(), interpolates, create_graph=True)
    return 10 * ((gradients.flatten(1).norm(dim=1) - 1) ** 2).mean()


def make_run(spec: str, arch: str, resolution: int, batch_size: int, n_critic: int, device: str) -> Run:
    images = family(arch).data_kind == "images"
    shape = (3, resolution, resolution) if images else (2,)
    data = InMemory(torch.rand(max(4 * batch_size, 512), *shape) * 2 - 1)
    config = Config(
        data="digits" if images else "8gaussians",
        arch=arch,
        resolution=resolution if images else None,
        width=family(arch).sizes["width"],
        constraint="sn" if spec == "torch-sn" else "gp" if spec == "plain-gp" else spec,
        batch_size=batch_size,
        n_critic=n_critic,
        device=device,
        measure_samples=64,
        out="/nonexistent/benchmark",
    )
    run = build_run(resolve(config.replace(constraint="none") if spec == "torch-sn" else resolve(config)), dataset=data)
    if spec == "torch-sn":  # torch's own spectral normalization, with SNGAN's recipe
        for layer in run.critic.modules():
            if isinstance(layer, (torch.nn.Linear, torch.nn.Conv2d)):
                torch.nn.utils.parametrizations.spectral_norm(layer)
        run.config = run.config.replace(lr=2e-4)
    if spec == "plain-gp":
        run.constraint.penalty = plain_gradient_penalty
    return run


def iteration(run: Run) -> None:
    for _ in range(run.config.n_critic):
        critic_step(run, next(run.stream))
    generator_step(run)


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def measure(specs: list[str], args: argparse.Namespace, device: str) -> list[dict]:
    runs = {spec: make_run(spec, args.arch, args.resolution, args.batch_size, args.n_critic, device) for spec in specs}
    for run in runs.values():  # warm-up: allocator, kernels, one-time initialisations
        for _ in range(args.warmup):
            iteration(run)
    seconds: dict[str, list[float]] = {spec: [] for spec in specs}
    peaks: dict[str, int] = {spec: 0 for spec in specs}
    for _ in range(args.rounds):
        for spec, run in runs.items():
            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            synchronize(device)
            start = time.perf_counter()
            for _ in range(args.iterations):
                iteration(run)
            synchronize(device)
            seconds[spec].append((time.perf_counter() - start) / args.iterations)
            if device == "cuda":
                peaks[spec] = max(peaks[spec], torch.cuda.max_memory_allocated())
    baseline = statistics.median(seconds["none"])
    return [
        {
            "strategy": spec,
            "device": device,
            "seconds": statistics.median(seconds[spec]),
            "ratio": statistics.median(seconds[spec]) / baseline,
            "peak_memory_mb": peaks[spec] / 2**20 if peaks[spec] else None,
        }
        for spec in specs
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", default="dcgan")
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument(
        "--strategies",
        default=",".join(["none", *(n for n in available() if n != "none")]),
        help="comma-separated specs; 'none' is always measured as the baseline",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=2, help="generator steps per strategy and round")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as a JSON list")
    parser.add_argument("--references", action="store_true", help="also time " + "; ".join(REFERENCES.values()))
    args = parser.parse_args()
    specs = ["none", *(s for s in args.strategies.split(",") if s and s != "none")]
    if args.references:
        specs += list(REFERENCES)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    results = [row for device in devices for row in measure(specs, args, device)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{args.arch} at {args.resolution} px, batch {args.batch_size}, {args.n_critic} critic steps per generator "
        f"step; median of {args.rounds} interleaved rounds of {args.iterations}"
    )
    print(
        f"machine: {platform.machine()}, {torch.get_num_threads()} CPU threads, torch {torch.__version__}"
        + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else "")
    )
    print(f"{'strategy':<16} {'device':<6} {'s/step':>8} {'ratio':>7} {'peak MB':>8}")
    for row in results:
        peak = f"{row['peak_memory_mb']:.0f}" if row["peak_memory_mb"] else "-"
        print(f"{row['strategy']:<16} {row['device']:<6} {row['seconds']:>8.4f} {row['ratio']:>6.2f}x {peak:>8}")


if __name__ == "__main__":
    main()
