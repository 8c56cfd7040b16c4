import pytest
import torch

from ganlip.data.files import ImageFiles
from ganlip.data.in_memory import InMemory
from ganlip.data.stream import BatchStream
from ganlip.errors import GanlipError
from tests.metrics.conftest import image_folder


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


def image_files(tmp_path) -> ImageFiles:
    return ImageFiles(sorted(image_folder(tmp_path / "images", 0).glob("*.png")), resolution=8)


@pytest.mark.parametrize("num_workers", [0, 2])
def test_image_files_stream_resumes_exactly_with_and_without_workers(tmp_path, num_workers):
    """Files decoded by a DataLoader (in worker processes too) follow the same order as in memory, and a stream
    started at k continues the one that ran from 0."""
    files = image_files(tmp_path)
    in_memory = InMemory(torch.stack([files[i] for i in range(len(files))]))
    cpu = torch.device("cpu")
    expected = [next(BatchStream(in_memory, 4, seed=3, device=cpu, start=k)) for k in range(7)]
    stream = BatchStream(files, 4, seed=3, device=cpu, num_workers=num_workers)
    assert all(torch.equal(next(stream), batch) for batch in expected)
    resumed = BatchStream(files, 4, seed=3, device=cpu, start=5, num_workers=num_workers)
    assert torch.equal(next(resumed), expected[5]) and torch.equal(next(resumed), expected[6])


def test_a_labelled_stream_pairs_each_sample_with_its_own_class_and_draws_the_same_samples(tmp_path):
    values = torch.arange(20.0)
    data = InMemory(values[:, None], labels=values.long() % 3, classes=3)
    plain = BatchStream(data, 5, seed=2, device=torch.device("cpu"))
    labelled = BatchStream(data, 5, seed=2, device=torch.device("cpu"), labelled=True)
    for _ in range(6):
        samples, labels = next(labelled)
        assert torch.equal(samples, next(plain))  # labels change nothing of what an unconditional run sees
        assert torch.equal(labels, samples[:, 0].long() % 3)
    folder = image_folder(tmp_path / "images", seed=0, n=6)
    files = ImageFiles(sorted(folder.iterdir()), 8, labels=torch.arange(6), classes=6)
    samples, labels = next(BatchStream(files, 3, seed=0, device=torch.device("cpu"), labelled=True))
    assert torch.equal(samples, torch.stack([files[int(i)] for i in labels]))  # through a DataLoader
