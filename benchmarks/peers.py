"""ganlip's training step against torch-mimicry's (Lee & Town 2020), side by side in one process: SNGAN-32
(spectral normalization) and WGAN-GP-32 (gradient penalty), the same ResNet (mimicry's 32-px widths, which
ganlip's `sngan` architecture copies: G 4,276,739 and D 1,053,825 parameters), batch 64, 5 critic steps per
generator step, Adam 2e-4 betas (0, 0.9), random images. Interleaved rounds, medians. Rows: both tools in float32
(equal precision), and ganlip at its default (amp=auto: bf16 autocast where the hardware runs it natively);
mimicry's default is float32 (its autocast path is CUDA's fp16 GradScaler).

mimicry installs without its dependencies (they pin old versions):

    pip install --no-deps torch-mimicry && pip install six scikit-image lazy_loader imageio tifffile networkx
    python benchmarks/peers.py [--rounds 3] [--device cpu]

Its `metrics` and `datasets` packages import TensorFlow and the removed `torch._six`; the nets need neither, so
both are replaced by empty modules before mimicry is imported.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import types
from collections.abc import Callable

import torch
from step_time import iteration, make_run, synchronize

# ganlip's default must beat mimicry's by this factor on the same step (issue's target for this machine).
TARGET_SPEEDUP = 1.3
BATCH, CRITIC_STEPS, LR, BETAS = 64, 5, 2e-4, (0.0, 0.9)


def import_mimicry() -> types.ModuleType:
    for name in ("torch_mimicry.metrics", "torch_mimicry.datasets"):
        sys.modules.setdefault(name, types.ModuleType(name))
    import torch_mimicry

    return torch_mimicry


def mimicry_step(strategy: str, device: torch.device) -> Callable[[], None]:
    """One generator step of mimicry's own training loop (`Trainer.train`): `n_dis` calls of the discriminator's
    `train_step`, the last followed by the generator's."""
    mimicry = import_mimicry()
    from torch_mimicry.training.metric_log import MetricLog

    if strategy == "sn":
        generator, critic = mimicry.nets.sngan.SNGANGenerator32(), mimicry.nets.sngan.SNGANDiscriminator32()
    else:
        generator, critic = mimicry.nets.wgan_gp.WGANGPGenerator32(), mimicry.nets.wgan_gp.WGANGPDiscriminator32()
    generator, critic = generator.to(device), critic.to(device)
    optimizer_g = torch.optim.Adam(generator.parameters(), LR, BETAS)
    optimizer_d = torch.optim.Adam(critic.parameters(), LR, BETAS)
    images = torch.rand(4 * BATCH, 3, 32, 32, device=device) * 2 - 1
    labels = torch.zeros(BATCH, dtype=torch.long, device=device)
    counter = iter(range(10**9))

    def step() -> None:
        log = MetricLog()
        for i in range(CRITIC_STEPS):
            global_step = next(counter)
            start = (global_step % 4) * BATCH
            batch = (images[start : start + BATCH], labels)
            log = critic.train_step(batch, generator, optimizer_d, log, device=device, global_step=global_step)
            if i == CRITIC_STEPS - 1:
                log = generator.train_step(batch, critic, optimizer_g, log, device=device, global_step=global_step)

    return step


def ganlip_step(strategy: str, device: torch.device, amp: str) -> Callable[[], None]:
    run = make_run(strategy, "sngan", 32, BATCH, CRITIC_STEPS, device.type, amp)
    run.config = run.config.replace(lr=LR, betas=list(BETAS))
    for optimizer in (run.optimizer_g, run.optimizer_d):
        for group in optimizer.param_groups:
            group["lr"], group["betas"] = LR, BETAS
    return lambda: iteration(run)


def parameter_counts(strategy: str) -> tuple[int, int]:
    mimicry = import_mimicry()
    nets = (
        (mimicry.nets.sngan.SNGANGenerator32(), mimicry.nets.sngan.SNGANDiscriminator32())
        if strategy == "sn"
        else (mimicry.nets.wgan_gp.WGANGPGenerator32(), mimicry.nets.wgan_gp.WGANGPDiscriminator32())
    )
    return tuple(sum(p.numel() for p in net.parameters()) for net in nets)  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    steps = {}
    for strategy, name in (("sn", "SNGAN-32"), ("gp", "WGAN-GP-32")):
        steps[(name, "mimicry", "float32")] = mimicry_step(strategy, device)
        steps[(name, "ganlip", "float32")] = ganlip_step(strategy, device, "off")
        steps[(name, "ganlip", "default")] = ganlip_step(strategy, device, "auto")
    default_amp = make_run("sn", "sngan", 32, BATCH, CRITIC_STEPS, device.type, "auto").config.amp
    for step in steps.values():
        for _ in range(args.warmup):
            step()
    seconds: dict[tuple[str, str, str], list[float]] = {key: [] for key in steps}
    for _ in range(args.rounds):
        for key, step in steps.items():
            synchronize(device.type)
            start = time.perf_counter()
            step()
            synchronize(device.type)
            seconds[key].append(time.perf_counter() - start)
    print(
        f"one generator step ({CRITIC_STEPS} critic steps, batch {BATCH}), median of {args.rounds} interleaved "
        f"rounds; {device.type}, {torch.get_num_threads()} threads, {platform.machine()}, torch {torch.__version__}"
    )
    for name, strategy in (("SNGAN-32", "sn"), ("WGAN-GP-32", "gp")):
        print(f"{name}: G {parameter_counts(strategy)[0]:,}, D {parameter_counts(strategy)[1]:,} parameters (mimicry)")
    print(f"{'model':<11} {'tool':<8} {'precision':<22} {'s/step':>8} {'vs mimicry':>10}")
    verdicts = []
    for (name, tool, precision), times in seconds.items():
        median = statistics.median(times)
        mimicry_median = statistics.median(seconds[(name, "mimicry", "float32")])
        shown = f"default (amp={default_amp})" if precision == "default" else precision
        print(f"{name:<11} {tool:<8} {shown:<22} {median:>8.3f} {mimicry_median / median:>9.2f}x")
        if precision == "default":
            speedup = mimicry_median / median
            verdicts.append(f"{name} {speedup:.2f}x {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}")
    print(f"target: ganlip's default at least {TARGET_SPEEDUP}x mimicry's: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
