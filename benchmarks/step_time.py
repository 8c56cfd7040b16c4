"""Time of one generator step (with its critic steps) for every strategy, against an unconstrained step,
measured side by side in one run: interleaved rounds, medians. Peak memory, measured after the timings, is
what a step needs above the resting state (models, optimizers, data): on CUDA the allocator's peak; on the
CPU the peak resident size of a fresh process per strategy, reset before the step through Linux's
/proc/self/clear_refs, with glibc told to return every allocation of 64 KiB or more to the system when it is
freed (so the resident size follows the live tensors).

    python benchmarks/step_time.py                       # 32-px DCGAN, batch 64, on the CPU (and CUDA if present)
    python benchmarks/step_time.py --arch mlp --batch-size 256 --json
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import multiprocessing
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import torch

from ganlip import peak_memory
from ganlip.config import Config
from ganlip.constraints import available
from ganlip.data.in_memory import InMemory
from ganlip.models import activations, family
from ganlip.resolution import resolve
from ganlip.setup import Run, build_run
from ganlip.train import critic_step, generator_step

REFERENCES = {
    "torch-sn": "torch.nn.utils.parametrizations.spectral_norm on the same critic",
    "plain-gp": "a textbook two-sided gradient penalty (WGAN-GP's code, transcribed) on the critic with torch's "
    "own activation modules",
}


def plain_gradient_penalty(critic: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    eps = torch.rand(real.shape[0], *[1] * (real.dim() - 1), device=real.device)
    interpolates = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(interpolates).sum(), interpolates, create_graph=True)
    return 10 * ((gradients.flatten(1).norm(dim=1) - 1) ** 2).mean()


def make_run(
    spec: str, arch: str, resolution: int, batch_size: int, n_critic: int, device: str, amp: str = "auto"
) -> Run:
    images = family(arch).data_kind == "images"
    shape = (3, resolution, resolution) if images else (2,)
    data = InMemory(torch.rand(max(4 * batch_size, 512), *shape) * 2 - 1)
    config = Config(
        data="digits" if images else "8gaussians",
        arch=arch,
        resolution=resolution if images else None,
        width=family(arch).sizes["width"],
        constraint={"torch-sn": "sn", "plain-gp": "gp"}.get(spec, spec),
        batch_size=batch_size,
        n_critic=n_critic,
        device=device,
        amp=amp,
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
        stock_activations(run.critic)
    return run


def stock_activations(module: torch.nn.Module) -> None:
    """Swap ganlip's activation modules for torch's (functional ones, in the ResNets, stay ganlip's)."""
    for name, child in module.named_children():
        if isinstance(child, activations.LeakyReLU):
            setattr(module, name, torch.nn.LeakyReLU(child.slope) if child.slope else torch.nn.ReLU())
        else:
            stock_activations(child)


def iteration(run: Run) -> None:
    for _ in range(run.config.n_critic):
        critic_step(run, next(run.stream))
    generator_step(run)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers in glibc's malloc.h


def track_resident_memory() -> bool:
    """Whether the CPU's peak resident size can be measured here (Linux with glibc)."""
    clear_refs = peak_memory.CLEAR_REFS
    libc_name = ctypes.util.find_library("c")
    if not clear_refs.exists() or libc_name is None or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(libc_name)
    tracked = libc.mallopt(M_MMAP_THRESHOLD, 64 * 1024) and libc.mallopt(M_TRIM_THRESHOLD, 64 * 1024)
    libc.malloc_trim(0)  # hand back what the timed rounds left cached, or it would be reused unseen
    return bool(tracked)


class PeakMemory:
    """Bytes a block of work needs above the memory in use when it starts (None where unmeasured)."""

    def __init__(self, device: str, measured: bool = True):
        self.device, self.measured = torch.device(device), measured

    def __enter__(self) -> PeakMemory:
        synchronize(self.device.type)
        peak_memory.reset_peak(self.device)
        self.start = peak_memory.in_use(self.device)
        return self

    def __exit__(self, *exc) -> None:
        synchronize(self.device.type)
        peak = peak_memory.peak(self.device)
        known = self.measured and peak is not None and self.start is not None
        self.bytes = peak - self.start if known else None


def step_peak_memory(spec: str, args: argparse.Namespace, device: str, run: Run | None) -> int | None:
    """Bytes one generator step needs above the resting state. The CPU's figure comes from a fresh process
    per strategy, where glibc returns freed memory at once: the timed rounds' cached memory would hide it."""
    if device == "cpu":
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(cpu_peak_memory, spec, args).result()
    iteration(run)
    with PeakMemory(device) as peak:
        iteration(run)
    return peak.bytes


def cpu_peak_memory(spec: str, args: argparse.Namespace) -> int | None:
    measured = track_resident_memory()
    torch.manual_seed(0)
    run = make_run(spec, args.arch, args.resolution, args.batch_size, args.n_critic, "cpu", args.amp)
    iteration(run)
    with PeakMemory("cpu", measured) as peak:
        iteration(run)
    return peak.bytes


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def measure(specs: list[str], args: argparse.Namespace, device: str) -> list[dict]:
    runs = {
        spec: make_run(spec, args.arch, args.resolution, args.batch_size, args.n_critic, device, args.amp)
        for spec in specs
    }
    for run in runs.values():  # warm-up: allocator, kernels, one-time initialisations
        for _ in range(args.warmup):
            iteration(run)
    seconds: dict[str, list[float]] = {spec: [] for spec in specs}
    for _ in range(args.rounds):
        for spec, run in runs.items():
            synchronize(device)
            start = time.perf_counter()
            for _ in range(args.iterations):
                iteration(run)
            synchronize(device)
            seconds[spec].append((time.perf_counter() - start) / args.iterations)
    peaks = {spec: step_peak_memory(spec, args, device, runs[spec] if device == "cuda" else None) for spec in specs}
    baseline = statistics.median(seconds["none"])
    return [
        {
            "strategy": spec,
            "device": device,
            "seconds": statistics.median(seconds[spec]),
            "ratio": statistics.median(seconds[spec]) / baseline,
            "peak_memory_mb": peaks[spec] / 2**20 if peaks[spec] is not None else None,
        }
        for spec in specs
    ]


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
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
    parser.add_argument("--amp", default="auto", help="auto (the default: bf16 where native), off or bf16")
    parser.add_argument(
        "--device", choices=["cpu", "cuda"], help="only this device (default: the CPU, and CUDA if present)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=2, help="generator steps per strategy and round")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as a JSON list")
    parser.add_argument("--references", action="store_true", help="also time " + "; ".join(REFERENCES.values()))
    return parser.parse_args(argv)


def main() -> None:
    args = parse_arguments()
    specs = ["none", *(s for s in args.strategies.split(",") if s and s != "none")]
    if args.references:
        specs += list(REFERENCES)
    devices = [args.device] if args.device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
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
    print(f"{'strategy':<16} {'device':<6} {'s/step':>8} {'ratio':>7} {'peak MB':>8}  (peak: above the resting state)")
    for row in results:
        peak = f"{row['peak_memory_mb']:.0f}" if row["peak_memory_mb"] is not None else "-"
        print(f"{row['strategy']:<16} {row['device']:<6} {row['seconds']:>8.4f} {row['ratio']:>6.2f}x {peak:>8}")


if __name__ == "__main__":
    main()
