"""Device selection."""

from __future__ import annotations

import torch

from ganlip.config import check_device
from ganlip.errors import GanlipError


def select_device(name: str) -> torch.device:
    """`auto` is CUDA when there is a GPU, else the CPU."""
    check_device(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise GanlipError(
            "--device cuda was asked for, but this machine has no usable CUDA GPU; use --device cpu or auto."
        )
    return torch.device(name)


# Probes of torch.cpu (private, present since torch 2.1) for the instructions that run bf16 matmuls natively.
CPU_BF16_FEATURES = (("AMX", "_is_amx_tile_supported"), ("AVX-512 BF16", "_is_avx512_bf16_supported"))


def native_bf16(device: torch.device) -> tuple[bool, str]:
    """Whether `device` runs bf16 matrix products and convolutions natively (faster than float32), and why."""
    if device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        return major >= 8, f"CUDA compute capability {major}.{minor}"
    if device.type == "cpu":
        found = [name for name, probe in CPU_BF16_FEATURES if getattr(torch.cpu, probe, lambda: False)()]
        if found:
            return True, f"this CPU has {' and '.join(found)}"
        return False, "this CPU has neither AMX nor AVX-512 BF16"
    return False, f"{device.type} devices are not known to run bf16 natively"
