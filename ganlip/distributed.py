"""torch.distributed for several processes (torchrun, DDP). A run of W processes with global batch B gives each
rank the samples `rank::W` of the batch a single process would draw, and draws every random tensor at global
size before taking the rank's share, so that it follows the single-process run up to float rounding."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import Tensor

from ganlip.errors import GanlipError


def world() -> tuple[int, int]:
    """(rank, world size); (0, 1) outside a process group."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_main() -> bool:
    return world()[0] == 0


def writes_files() -> bool:
    """Whether this process writes the run's files (rank 0 of torchrun, or a lone process), known before the
    process group starts."""
    return int(os.environ.get("RANK", "0")) == 0


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def start(device_name: str) -> torch.device | None:
    """Join the process group torchrun describes (NCCL on GPUs, gloo on CPUs); the rank's device, or None
    when not launched by torchrun."""
    if not launched_by_torchrun():
        return None
    use_cuda = device_name != "cpu" and torch.cuda.is_available()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo")
    if use_cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    # Processes on one machine that each use every core wait on each other (on 2 cores, 30x slower per step).
    torch.set_num_threads(threads_per_process(int(os.environ.get("LOCAL_WORLD_SIZE", "1"))))
    return torch.device("cpu")


def threads_per_process(processes: int) -> int:
    """This machine's cores (those this process may run on) divided among `processes` processes, at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // max(1, processes))


def stop() -> None:
    """Leave the process group `start` joined (a no-op outside torchrun). Without this, a rank can abort at
    interpreter exit ("terminate called without an active exception") while another still tears down."""
    if launched_by_torchrun() and dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def share(global_tensor: Tensor) -> Tensor:
    """This rank's rows of a tensor drawn at global size."""
    rank, size = world()
    return global_tensor[rank::size] if size > 1 else global_tensor


def global_size(local: int) -> int:
    return local * world()[1]


def local_batch(batch_size: int) -> int:
    size = world()[1]
    if batch_size % size:
        raise GanlipError(f"batch size {batch_size} does not split over {size} processes; use a multiple of {size}.")
    return batch_size // size


def any_rank(flag: bool) -> bool:
    """True on every rank when `flag` is true on any (so that all ranks stop at the same step)."""
    if world()[1] == 1:
        return flag
    value = torch.tensor([float(flag)])
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())
