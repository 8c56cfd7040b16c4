"""An endless, resumable stream of shuffled batches."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, Sampler

from ganlip.data.in_memory import InMemory
from ganlip.distributed import world
from ganlip.errors import GanlipError


def epoch_permutation(n: int, seed: int, epoch: int) -> Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))


def fixed_subset(dataset: Dataset, n: int, seed: int) -> Tensor:
    """`n` samples drawn once without replacement (all of them if fewer), the same for the same seed."""
    return fixed_labelled_subset(dataset, n, seed)[0]


def fixed_labelled_subset(dataset: Dataset, n: int, seed: int) -> tuple[Tensor, Tensor | None]:
    """`fixed_subset` and the samples' labels (None for unlabelled data)."""
    indices = epoch_permutation(len(dataset), seed, epoch=-1)[:n]  # type: ignore[arg-type]
    labels = getattr(dataset, "labels", None)
    if isinstance(dataset, InMemory):
        samples = dataset.batch(indices)
    else:
        samples = torch.stack([dataset[int(i)] for i in indices])
    return samples, labels[indices] if labels is not None else None


class WithLabels(Dataset):
    """The items of a labelled data set as `(sample, label)` pairs, for a DataLoader."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.labels: Tensor = dataset.labels  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        return self.dataset[index], self.labels[index]


class ResumableBatchSampler(Sampler[list[int]]):
    """Batches of indices, a fresh permutation per epoch (last partial batch dropped). Batch `k` is a pure
    function of (seed, k), so a resumed run that starts at batch `k` sees exactly what it would have seen."""

    def __init__(self, n: int, batch_size: int, seed: int, start: int = 0, rank: int = 0, world_size: int = 1):
        self.n, self.batch_size, self.seed, self.start = n, batch_size, seed, start
        self.rank, self.world_size = rank, world_size  # each process takes the rows rank::world_size
        self.per_epoch = n // batch_size

    def __iter__(self) -> Iterator[list[int]]:
        index = self.start
        while True:
            epoch, position = divmod(index, self.per_epoch)
            if position == 0 or index == self.start:
                permutation = epoch_permutation(self.n, self.seed, epoch)
            batch = permutation[position * self.batch_size : (position + 1) * self.batch_size]
            yield batch[self.rank :: self.world_size].tolist()
            index += 1


class BatchStream:
    """`next(stream)` is the next batch on `device`, with `labelled=True` the pair (samples, labels);
    `stream.position` counts the batches handed out, which is all a checkpoint needs to resume the stream."""

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        seed: int,
        device: torch.device,
        start: int = 0,
        num_workers: int = 0,
        labelled: bool = False,
    ):
        n = len(dataset)  # type: ignore[arg-type]
        if batch_size > n:
            raise GanlipError(f"batch size {batch_size} exceeds the {n} samples of the data; lower --batch-size.")
        self.position = start
        self.device = device
        rank, size = world()
        sampler = ResumableBatchSampler(n, batch_size, seed, start, rank, size)
        self._batches: Iterator[Tensor | list[Tensor]]
        if isinstance(dataset, InMemory):
            batches = ((dataset.batch(index := torch.tensor(indices)), index) for indices in sampler)
            labels = dataset.labels
            if labelled and labels is not None:
                self._batches = ([batch, labels[index]] for batch, index in batches)
            else:
                self._batches = (batch for batch, _ in batches)
        else:
            loader = DataLoader(
                WithLabels(dataset) if labelled else dataset,
                batch_sampler=sampler,
                num_workers=num_workers,
                pin_memory=device.type == "cuda",
                persistent_workers=num_workers > 0,
            )
            self._batches = iter(loader)

    def __iter__(self) -> BatchStream:
        return self

    def __next__(self) -> Tensor | tuple[Tensor, Tensor]:
        batch = next(self._batches)
        self.position += 1
        if isinstance(batch, Tensor):
            return batch.to(self.device, non_blocking=True)
        samples, labels = batch
        return samples.to(self.device, non_blocking=True), labels.to(self.device, non_blocking=True)
