"""Generators against data: where features come from (image folders, statistics files, exported generators, run
directories, data sets) and the registered scores between them."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from ganlip.data import load_data
from ganlip.data.files import IMAGE_SUFFIXES, ImageFiles
from ganlip.data.folder import class_layout
from ganlip.devices import select_device
from ganlip.errors import GanlipError
from ganlip.layers import evaluation
from ganlip.metrics.features import available_features, build_features, feature_net
from ganlip.metrics.fid import DEFAULT_DIMS
from ganlip.metrics.protocol import Protocol, weights_sha256
from ganlip.metrics.registry import PAIRWISE_FEATURES, Sides, conditional_metrics, default_metrics, metric
from ganlip.metrics.statistics import (
    batched_features,
    cache_directory,
    load_statistics,
    save_statistics,
    statistics,
)
from ganlip.sampling import generator_batches, sample_classes
from ganlip.trained import restore
from ganlip.visuals import as_saved

# The reference set of a data set's FID statistics: all of it, up to this many images.
FID_REFERENCE_IMAGES = 50_000
# Generated samples scored by default: FID-50k for FID on Inception's features, 10,000 for the other scores.
FID_SAMPLES, SCORE_SAMPLES = 50_000, 10_000


def saved_image_batches(
    generator: nn.Module, n: int, batch_size: int, device: torch.device, seed: int = 0, labels: Tensor | None = None
) -> Iterator[Tensor]:
    """`n` samples of `generator` (for the classes `labels`, when conditional), each quantized as a PNG of it would
    be (`visuals.as_saved`): what scores see."""
    return (as_saved(batch) for batch in generator_batches(generator, n, batch_size, device, seed, labels))


def default_score_samples(features: str | None, metrics: tuple[str, ...] | list[str]) -> int:
    """Generated samples a score is computed on unless set: FID's 50,000 (the count papers report, since FID is
    biased upward at fewer) where the features are Inception's and FID is asked for; 10,000 otherwise."""
    return FID_SAMPLES if features == "inception" and "fd" in metrics else SCORE_SAMPLES


def samples_label(n: int) -> str:
    """`50000` as "50k", `5000` as "5k", `1234` as "1234": how a score names its sample count."""
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def dataset_batches(dataset: Dataset, n: int, batch_size: int) -> Iterator[Tensor]:
    indices = list(range(min(n, len(dataset))))  # type: ignore[arg-type]
    if hasattr(dataset, "batch"):
        for start in range(0, len(indices), batch_size):
            yield dataset.batch(torch.tensor(indices[start : start + batch_size]))
        return
    loader = DataLoader(torch.utils.data.Subset(dataset, indices), batch_size=batch_size)
    yield from loader


# Reference features kept per cached data set for KID and precision/recall (its statistics use every image).
REFERENCE_FEATURES = PAIRWISE_FEATURES
# Fewest samples per side a score accepts: precision/recall and density/coverage need k + 1 neighbours.
MIN_SAMPLES = 6


@dataclass
class Reference:
    """A source's features: the Fréchet statistics of all of them, the features themselves when kept, and their
    classes where the source has them (labelled data, a conditional generator)."""

    mu: np.ndarray
    sigma: np.ndarray
    features: np.ndarray | None = None
    labels: np.ndarray | None = None
    protocol: Protocol | None = None

    @classmethod
    def of(cls, features: np.ndarray, keep: int | None = None, labels: np.ndarray | None = None) -> Reference:
        mu, sigma = statistics(features)
        return cls(mu, sigma, features[:keep].astype(np.float32), labels[:keep] if labels is not None else None)

    def save(self, path: Path) -> None:
        save_statistics(path, self.mu, self.sigma, self.features, self.labels, self.protocol)

    @classmethod
    def load(cls, path: str | Path) -> Reference:
        return cls(*load_statistics(path))


def score_features(
    first: Reference,
    second: Reference,
    features: str,
    metrics: tuple[str, ...] | None = None,
    seed: int = 0,
    logits: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[str, float]:
    """The registered `metrics` (None: the defaults) between the reference `first` (real) and `second`
    (generated), each key named after the feature network `features` (`fd/inception`); `logits` maps features to
    the network's class logits, for the metrics that need them (the Inception Score)."""
    names = list(metrics if metrics is not None else default_metrics())
    labelled = first.labels is not None and second.labels is not None
    classifier = is_data_classifier(features)
    names += [name for name in class_metrics(features) if labelled and name not in names]
    chosen = [metric(name) for name in names]
    if not labelled and (asked := [m.name for m in chosen if m.conditional]):
        raise GanlipError(
            f"{', '.join(asked)} score class-conditional generation and need the classes of both sides: a conditional "
            f"generator against labelled data (a run's data set, or a folder with one subfolder per class)."
        )
    if not classifier and (asked := [m.name for m in chosen if m.conditional and m.needs == "logits"]):
        raise GanlipError(
            f"{', '.join(asked)} compares a classifier's classes with the data's, and {features}'s classes are not "
            f"the data's; score with a shipped classifier of the data (--features fashion-cnn or digits-cnn)."
        )
    if labelled:
        require_same_classes(first.labels, second.labels)
    if len(first.mu) != len(second.mu):
        raise GanlipError(
            f"the two sources have features of {len(first.mu)} and {len(second.mu)} dimensions; statistics "
            f"files must come from the same feature network ({features}: {feature_net(features).dims})."
        )
    wanting = [m.name for m in chosen if m.needs != "statistics"]
    pairwise = any(m.needs == "features" for m in chosen)
    if wanting and (second.features is None or (pairwise and first.features is None)):
        raise GanlipError(
            f"{', '.join(wanting)} need the features themselves, and a statistics file without them holds "
            f"only mu and sigma; score images, a generator or a run directory, or ask for --metrics fd."
        )
    n = min(len(first.features), len(second.features), PAIRWISE_FEATURES) if pairwise else 0
    sides = Sides(
        first.mu,
        first.sigma,
        second.mu,
        second.sigma,
        first.features[:n] if pairwise else None,
        second.features[:n] if pairwise else None,
        _logits(logits, second.features, features) if any(m.needs == "logits" for m in chosen) else None,
        seed,
        first.labels[:n] if labelled and pairwise else first.labels,
        second.labels,  # every generated row's, as the logits: a metric of the features takes the first n
    )
    values = {}
    for chosen_metric in chosen:
        found = chosen_metric.compute(sides)
        values |= {key.logged(features): found[key.name] for key in chosen_metric.keys}
    return values


def is_data_classifier(features: str) -> bool:
    """Whether the feature network classifies the data's own classes (a shipped network), so that its classes can
    be compared with the labels; Inception's are ImageNet's."""
    return features in available_features() and bool(feature_net(features).data)


def class_metrics(features: str) -> list[str]:
    """The scores of conditional generation computed on `features` whenever both sides carry classes."""
    classifier = is_data_classifier(features)
    return [name for name in conditional_metrics() if classifier or metric(name).needs != "logits"]


def require_same_classes(real: np.ndarray, generated: np.ndarray) -> None:
    """Refuse classes of a generator that the real side lacks (a class folder numbered otherwise than the data)."""
    missing = sorted(set(np.unique(generated).tolist()) - set(np.unique(real).tolist()))
    if missing:
        raise GanlipError(
            f"the generator draws class {missing[0]}, which the real side does not hold ({len(missing)} such classes); "
            f"a folder's classes are its subfolders in sorted order, so name them to sort as the generator's "
            f"classes do (0, 1, ..., 9)."
        )


def _logits(logits: Callable[[np.ndarray], np.ndarray] | None, features: np.ndarray, name: str) -> np.ndarray:
    if logits is None:
        raise GanlipError(f"the feature network {name} has no class logits here; score with --metrics fd,kid,pr,dc.")
    return logits(features)


def source_reference(
    source: str | Path,
    model: Callable[[], nn.Module],
    n: int,
    batch_size: int,
    device: torch.device,
    resolution: int | None = None,
) -> Reference:
    """The features of a `.npz` file, an exported generator, a run directory, or a folder of images.
    `model()` gives the feature network; it is only called when features must be computed."""
    path = Path(source)
    if not path.exists():
        raise GanlipError(f"{path} does not exist; pass an image folder, run directory, .safetensors or .npz.")
    if path.suffix == ".npz":
        return Reference.load(path)
    if path.suffix == ".safetensors" or (path / "checkpoints").is_dir():
        generator = restore(path, device).generator
    elif path.is_dir():
        images = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if len(images) < MIN_SAMPLES:
            raise GanlipError(
                f"{path} holds {len(images)} images; scoring needs at least {MIN_SAMPLES} (thousands for a "
                f"trustworthy score)."
            )
        files = ImageFiles(images, resolution or image_size(images[0]), **class_layout(path, images))
        found = batched_features(model(), dataset_batches(files, len(files), batch_size), device)
        if files.labels is None:
            return Reference.of(found)
        # files sorted by class: shuffled (seeded), so that the features kept for pairwise scores hold every class
        order = np.random.default_rng(0).permutation(len(found))
        return Reference.of(found[order], None, files.labels.numpy()[order])
    else:
        raise GanlipError(
            f"cannot score {path}: pass a folder of images, a run directory, an exported .safetensors generator "
            f"or an .npz statistics file."
        )
    with evaluation(generator):
        if next(generator_batches(generator, 1, 1, device)).dim() != 4:
            raise GanlipError(f"{path} generates points, not images; scores compare images.")
    return generated_reference(model(), generator, n, batch_size, device)


def image_size(image: Path) -> int:
    from PIL import Image

    with Image.open(image) as picture:
        return min(picture.size)


def score_between(
    a: str | Path,
    b: str | Path,
    metrics: tuple[str, ...] | None = None,
    features: str = "inception",
    n: int | None = None,
    dims: int = DEFAULT_DIMS,
    weights: str | Path | None = None,
    batch_size: int = 50,
    device: str = "auto",
    resolution: int | None = None,
) -> dict[str, float]:
    """Scores between two sources (see `source_reference`) on the feature network `features`; generators
    contribute `n` samples (None: `default_score_samples`), quantized as saved PNGs would be. Image folders of
    different sizes need `resolution`."""
    name = feature_net(features).name
    metrics = tuple(metrics) if metrics is not None else tuple(default_metrics())
    n = n if n is not None else default_score_samples(name, metrics)
    if n < MIN_SAMPLES:
        raise GanlipError(f"--n {n} is too few samples to score; use at least {MIN_SAMPLES} (thousands to trust it).")
    if resolution is None:
        sizes = {str(p): image_size(first) for p in (Path(a), Path(b)) if (first := _first_image(p)) is not None}
        if len(set(sizes.values())) > 1:
            shown = " and ".join(f"{path} {size} px" for path, size in sizes.items())
            raise GanlipError(f"the image folders differ in size ({shown}); pass --resolution N to resize both.")
    device_ = select_device(device)
    model = functools.cache(lambda: build_features(name, weights, dims).to(device_))
    first = source_reference(a, model, n, batch_size, device_, resolution)
    second = source_reference(b, model, n, batch_size, device_, resolution)
    return score_features(first, second, name, metrics, logits=lambda found: class_logits(model(), found))


def _first_image(path: Path) -> Path | None:
    if not path.is_dir() or (path / "checkpoints").is_dir():
        return None
    return next((p for p in sorted(path.rglob("*")) if p.suffix.lower() in IMAGE_SUFFIXES), None)


def fid_between(
    a: str | Path,
    b: str | Path,
    n: int | None = None,
    dims: int = DEFAULT_DIMS,
    weights: str | Path | None = None,
    batch_size: int = 50,
    device: str = "auto",
    resolution: int | None = None,
) -> float:
    """FID between two sources: the Fréchet distance on pytorch-fid's Inception features."""
    scores = score_between(a, b, ("fd",), "inception", n, dims, weights, batch_size, device, resolution)
    return next(iter(scores.values()))


def data_reference(
    model: nn.Module,
    features: str,
    data: str,
    root: str,
    split: str,
    resolution: int | None,
    device: torch.device,
    batch_size: int = 50,
    inception_weights: str | Path | None = None,
) -> Reference:
    """The cached features of a data set's split at a resolution (computed on first use): statistics of up to
    FID_REFERENCE_IMAGES images, and the first REFERENCE_FEATURES of them kept for KID and precision/recall; with
    the protocol that makes them (features, weights, size, count, split)."""
    dataset = load_data(data, root, resolution, split)
    n = min(len(dataset), FID_REFERENCE_IMAGES)
    dims = getattr(model, "dims", "")
    key = f"{data}-{split}-{resolution}px-{features}{dims if features == 'inception' else ''}-{n}"
    path = cache_directory() / f"{key}.npz"
    labels = getattr(dataset, "labels", None)
    protocol = data_protocol(model, features, dataset, n, f"{data} {split}", inception_weights)
    if path.is_file():
        reference = Reference.load(path)
        if reference.features is not None and (labels is None or reference.labels is not None):
            return dataclasses.replace(reference, protocol=protocol)
    reference = dataset_reference(model, dataset, n, batch_size, device, protocol)
    reference.save(path)
    return reference


def data_protocol(
    model: nn.Module, features: str, dataset: Dataset, n: int, source: str, inception_weights: str | Path | None
) -> Protocol:
    """How the features of the first `n` images of `dataset` (named `source`) are computed by `model`."""
    return Protocol(
        features=features,
        weights_sha256=weights_sha256(features, inception_weights),
        dims=int(getattr(model, "dims", 0)),
        resolution=int(dataset[0].shape[-1]),
        quantization="8-bit files",
        samples=n,
        source=source,
    )


def dataset_reference(
    model: nn.Module, dataset: Dataset, n: int, batch_size: int, device: torch.device, protocol: Protocol | None = None
) -> Reference:
    """The features of the first `n` samples of `dataset`: statistics of all, the first REFERENCE_FEATURES kept."""
    labels = getattr(dataset, "labels", None)
    with evaluation(model):
        found = batched_features(model, dataset_batches(dataset, n, batch_size), device)
    reference = Reference.of(found, REFERENCE_FEATURES, labels[:n].numpy() if labels is not None else None)
    return dataclasses.replace(reference, protocol=protocol)


def generator_scores(
    model: nn.Module,
    features: str,
    generator: nn.Module,
    reference: Reference,
    n: int,
    batch_size: int,
    device: torch.device,
    metrics: tuple[str, ...] | None = None,
) -> dict[str, float]:
    """Scores of `n` samples of `generator` against a data set's reference features; a conditional generator's are
    drawn for the classes in turn, and scored class by class too where the data's reference has classes."""
    return score_features(
        reference,
        generated_reference(model, generator, n, batch_size, device),
        features,
        metrics,
        logits=lambda found: class_logits(model, found),
    )


def generated_reference(
    model: nn.Module, generator: nn.Module, n: int, batch_size: int, device: torch.device, seed: int = 0
) -> Reference:
    """The features of `n` samples of `generator`, with the classes they were drawn for (conditional)."""
    labels = sample_classes(generator, n)
    with evaluation(generator):
        batches = saved_image_batches(generator, n, batch_size, device, seed, labels)
        return Reference.of(
            batched_features(model, batches, device), labels=labels.numpy() if labels is not None else None
        )


def class_logits(model: nn.Module, features: np.ndarray) -> np.ndarray:
    """The feature network's class logits of `features` (its own classification layer, applied to them)."""
    if not hasattr(model, "logits"):
        raise GanlipError(f"{type(model).__name__} has no classification layer; the Inception Score needs one.")
    with torch.no_grad():
        device = next(model.parameters()).device
        return model.logits(torch.as_tensor(features, device=device)).double().cpu().numpy()
