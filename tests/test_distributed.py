"""DDP on the CPU with the gloo backend: 2 processes stay identical and follow a single-process run with the
same global batch."""

import os
import socket
import subprocess
import sys

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from ganlip.checkpoint import load_checkpoint
from ganlip.train import build_run, critic_step, generator_step, resolve, train
from tests.conftest import tiny_config

STEPS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def train_steps(config):
    """STEPS generator steps with their critic steps; the run's parameters, flattened."""
    run = build_run(config)
    for step in range(1, STEPS + 1):
        run.step = step
        for _ in range(config.n_critic):
            critic_step(run, next(run.stream))
        generator_step(run)
    return run, torch.cat([p.detach().flatten() for p in [*run.critic.parameters(), *run.generator.parameters()]])


def steps_in_process(rank: int, world: int, port: int, config, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        run, flat = train_steps(config)
        buffers = torch.cat([torch.zeros(0), *(b.flatten() for b in run.critic.buffers())])  # sn: u and v
        gathered = [torch.zeros_like(flat) for _ in range(world)]
        gathered_buffers = [torch.zeros_like(buffers) for _ in range(world)]
        dist.all_gather(gathered, flat)
        dist.all_gather(gathered_buffers, buffers)
        if rank == 0:
            torch.save({"parameters": gathered, "buffers": gathered_buffers}, out)
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("constraint", ["sn+gp", "clip"])
def test_two_processes_match_each_other_and_one_process(tmp_path, constraint):
    config = resolve(tiny_config(tmp_path, "8gaussians", constraint=constraint, batch_size=32, width=16))
    mp.spawn(steps_in_process, args=(2, free_port(), config, tmp_path / "ranks.pt"), nprocs=2, join=True)
    ranks = torch.load(tmp_path / "ranks.pt")
    assert torch.equal(ranks["parameters"][0], ranks["parameters"][1])
    assert torch.equal(ranks["buffers"][0], ranks["buffers"][1])
    _, expected = train_steps(config)
    difference = (ranks["parameters"][0] - expected).abs()
    # Summing gradients over processes rounds differently; Adam's first updates are about ±lr whatever the
    # gradient's size, so a near-zero gradient whose sign the rounding flips moves a weight by up to 2 lr per
    # update. Nearly every weight agrees to float rounding.
    assert (difference <= 1e-6).float().mean() > 0.99
    assert difference.max() <= 2 * config.lr * STEPS * config.n_critic


def test_torchrun_trains_and_rank_zero_checkpoints(tmp_path):
    common = [
        "--data",
        "8gaussians",
        "--constraint",
        "sn",
        "--steps",
        "3",
        "--batch-size",
        "32",
        "--n-critic",
        "2",
        "--set",
        "width=16",
        "--set",
        "checkpoint_every=3",
        "--quiet",
        "--device",
        "cpu",
    ]
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(free_port()),
        "-m",
        "ganlip",
        "train",
        *common,
        "--out",
        str(tmp_path / "ddp"),
    ]
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-4000:]
    single = train(
        tiny_config(
            tmp_path,
            "8gaussians",
            constraint="sn",
            steps=3,
            batch_size=32,
            n_critic=2,
            width=16,
            checkpoint_every=3,
            latent_dim=None,
        ),
        quiet=True,
    )
    a, b = load_checkpoint(tmp_path / "ddp"), load_checkpoint(single)
    assert a["step"] == b["step"] == 3
    difference = torch.cat(
        [(a[part][k] - b[part][k]).abs().flatten() for part in ("generator", "critic") for k in a[part]]
    )
    assert (difference <= 1e-6).float().mean() > 0.99  # as above: Adam lr 2e-4, 3 steps of 2 critic updates
    assert difference.max() <= 2 * 2e-4 * 3 * 2
