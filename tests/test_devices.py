import pytest
import torch

from ganlip import devices
from ganlip.errors import GanlipError


def test_the_cpu_runs_bf16_natively_when_torch_reports_amx_or_avx512_bf16(monkeypatch):
    for amx, avx512_bf16 in [(False, False), (True, False), (False, True)]:
        monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda amx=amx: amx)
        monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda bf16=avx512_bf16: bf16)
        native, why = devices.native_bf16(torch.device("cpu"))
        assert native == (amx or avx512_bf16)
        assert ("AMX" in why) == amx or not native


def test_cuda_runs_bf16_natively_from_compute_capability_8(monkeypatch):
    for capability, native in [((7, 5), False), ((8, 0), True), ((9, 0), True)]:
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device, c=capability: c)
        assert devices.native_bf16(torch.device("cuda")) == (
            native,
            f"CUDA compute capability {capability[0]}.{capability[1]}",
        )


def test_a_gpu_asked_for_on_a_machine_without_one_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert devices.select_device("auto") == torch.device("cpu")
    with pytest.raises(GanlipError, match="no usable CUDA GPU; use --device cpu or auto"):
        devices.select_device("cuda:1")
