import pytest
import torch

from ganlip.data.memory import InMemory
from ganlip.data.stream import BatchStream
from ganlip.errors import GanlipError


def test_each_epoch_visits_every_sample_once():
    data = InMemory(torch.arange(12.0)[:, None])
    stream = BatchStream(data, 4, seed=0, device=torch.device("cpu"))
    epochs = [torch.cat([next(stream) for _ in range(3)]).flatten().sort().values for _ in range(2)]
    assert all(torch.equal(epoch, torch.arange(12.0)) for epoch in epochs)


def test_a_stream_started_at_k_continues_exactly():
    data = InMemory(torch.randn(50, 3))
    full = BatchStream(data, 8, seed=5, device=torch.device("cpu"))
    batches = [next(full) for _ in range(20)]
    resumed = BatchStream(data, 8, seed=5, device=torch.device("cpu"), start=13)
    for expected in batches[13:]:
        assert torch.equal(next(resumed), expected)
    assert resumed.position == 20


def test_batch_larger_than_the_data_is_refused():
    with pytest.raises(GanlipError, match="lower --batch-size"):
        BatchStream(InMemory(torch.randn(10, 2)), 64, seed=0, device=torch.device("cpu"))
