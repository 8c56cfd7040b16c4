"""Generators against data: where FID statistics come from, and the measurements the training loop logs."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from ganlip.data import load_data
from ganlip.data.files import IMAGE_SUFFIXES, ImageFiles
from ganlip.devices import select_device
from ganlip.errors import GanlipError
from ganlip.export import generator_from_checkpoint, load_generator
from ganlip.metrics.fid import InceptionFeatures, batched_features, cached_statistics, load_statistics, statistics
from ganlip.metrics.frechet import frechet_distance
from ganlip.metrics.spectra import evaluation, gradient_norm_maxima, lipschitz_upper_bound, spectra
from ganlip.metrics.swd import sliced_wasserstein
from ganlip.metrics.w1 import exact_w1

# The reference set of a data set's FID statistics: all of it, up to this many images.
FID_REFERENCE_IMAGES = 50_000


@torch.no_grad()
def generator_batches(
    generator: nn.Module, n: int, batch_size: int, device: torch.device, seed: int = 0
) -> Iterator[Tensor]:
    """`n` samples of `generator` in batches, from noise seeded by `seed`."""
    rng = torch.Generator(device).manual_seed(seed)
    for start in range(0, n, batch_size):
        count = min(batch_size, n - start)
        yield generator(torch.randn(count, generator.latent_dim, device=device, generator=rng))


def dataset_batches(dataset: Dataset, n: int, batch_size: int) -> Iterator[Tensor]:
    indices = list(range(min(n, len(dataset))))  # type: ignore[arg-type]
    if hasattr(dataset, "batch"):
        for start in range(0, len(indices), batch_size):
            yield dataset.batch(torch.tensor(indices[start : start + batch_size]))
        return
    loader = DataLoader(torch.utils.data.Subset(dataset, indices), batch_size=batch_size)
    yield from loader


def source_statistics(
    source: str | Path,
    model: Callable[[], InceptionFeatures],
    n: int,
    batch_size: int,
    device: torch.device,
    resolution: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """FID statistics of a `.npz` file, an exported generator, a run directory, or a folder of images.
    `model()` gives the Inception network; it is only called when features must be computed."""
    path = Path(source)
    if path.suffix == ".npz":
        return load_statistics(path)
    if path.suffix == ".safetensors":
        generator = load_generator(path, device)
    elif (path / "checkpoints").is_dir():
        generator = generator_from_checkpoint(path)[0].to(device)
    elif path.is_dir():
        images = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise GanlipError(f"{path} holds no images, run directory or statistics; pass one of those.")
        files = ImageFiles(images, resolution or _first_size(images[0]))
        return statistics(batched_features(model(), dataset_batches(files, len(files), batch_size), device))
    else:
        raise GanlipError(
            f"cannot compute FID statistics of {path}: pass a folder of images, a run directory, "
            f"an exported .safetensors generator or an .npz statistics file."
        )
    return statistics(batched_features(model(), generator_batches(generator, n, batch_size, device), device))


def _first_size(image: Path) -> int:
    from PIL import Image

    with Image.open(image) as picture:
        return min(picture.size)


def fid_between(
    a: str | Path,
    b: str | Path,
    n: int = 10_000,
    dims: int = 2048,
    weights: str | Path | None = None,
    batch_size: int = 50,
    device: str = "auto",
    resolution: int | None = None,
) -> float:
    """FID between two sources (see `source_statistics`); generators contribute `n` samples."""
    device_ = select_device(device)
    model = functools.cache(lambda: InceptionFeatures(dims, weights).to(device_))
    first = source_statistics(a, model, n, batch_size, device_, resolution)
    second = source_statistics(b, model, n, batch_size, device_, resolution)
    return frechet_distance(*first, *second)


def data_statistics(
    model: InceptionFeatures,
    data: str,
    root: str,
    split: str,
    resolution: int | None,
    device: torch.device,
    batch_size: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """The cached FID statistics of a data set's split at a resolution (computed on first use)."""
    dataset = load_data(data, root, resolution, split)
    n = min(len(dataset), FID_REFERENCE_IMAGES)
    key = f"{data}-{split}-{resolution}px-{model.dims}d-{n}"
    return cached_statistics(key, lambda: batched_features(model, dataset_batches(dataset, n, batch_size), device))


def generator_fid(
    model: InceptionFeatures,
    generator: nn.Module,
    reference: tuple[np.ndarray, np.ndarray],
    n: int,
    batch_size: int,
    device: torch.device,
) -> float:
    with evaluation(generator):
        features = batched_features(model, generator_batches(generator, n, batch_size, device), device)
    return frechet_distance(*statistics(features), *reference)


def measurements(
    critic: nn.Module, generator: nn.Module, real: Tensor, noise: Tensor, seed: int = 0
) -> dict[str, float]:
    """Critic tightness, distances to the data and spectra, on the fixed samples `real` and `G(noise)`.

    `tightness` is the critic's Wasserstein estimate on these samples divided by their exact W1: 1 for an
    optimal 1-Lipschitz critic, less for an over-constrained or under-trained one."""
    with evaluation(critic), evaluation(generator):
        with torch.no_grad():
            fake = generator(noise)
            estimate = (critic(real).mean() - critic(fake).mean()).item()
        records = spectra(critic, tuple(real.shape[1:]))
        maxima = gradient_norm_maxima(critic, real, fake, seed)
    w1 = exact_w1(real, fake)
    values = {
        "wasserstein_eval": estimate,
        "w1_exact": w1,
        "tightness": estimate / w1 if w1 > 0 else float("nan"),
        "swd": sliced_wasserstein(real, fake, seed=seed),
    }
    for record in records:
        values[f"spectral_norm/{record.name}"] = record.matrix_norm
        values[f"operator_norm/{record.name}"] = record.operator_norm
        if record.power_estimate is not None:
            values[f"spectral_estimate/{record.name}"] = record.power_estimate
    values["lipschitz/upper"] = lipschitz_upper_bound(records)
    values |= {f"grad_norm/{where}_max": value for where, value in maxima.items()}
    values["lipschitz/lower"] = max(maxima.values())
    return values
