import sys

import pytest
import torch

from ganlip import peak_memory

CPU = torch.device("cpu")
MB = 2**20

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the CPU peak is read from Linux's /proc")


def test_the_cpu_peak_sees_a_touched_allocation_and_forgets_it_on_reset():
    peak_memory.reset_peak(CPU)
    before = peak_memory.in_use(CPU)
    block = torch.ones(256 * MB // 4)  # 256 MB of float32, every page written
    del block  # handed back to the system (an allocation this large is its own mapping): the peak remembers it
    assert peak_memory.in_use(CPU) < before + 100 * MB
    assert peak_memory.peak(CPU) >= before + 250 * MB
    peak_memory.reset_peak(CPU)
    assert peak_memory.peak(CPU) < before + 100 * MB  # the peak is now the (smaller) current size
