"""Reference statistics users build and check (`ganlip stats build`, `ganlip stats verify`): a data set's features
in pytorch-fid's `.npz` layout, with the features kept for KID, precision/recall and density/coverage, and the
protocol that made them embedded, so that a later score, or a check, knows exactly what they are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganlip.data import load_data
from ganlip.devices import select_device
from ganlip.errors import GanlipError
from ganlip.evaluate import FID_REFERENCE_IMAGES, Reference, data_protocol, dataset_reference
from ganlip.metrics.features import build_features
from ganlip.metrics.frechet import frechet_distance
from ganlip.metrics.protocol import PRECISION, Protocol, weights_sha256


def data_statistics(
    data: str,
    features: str,
    root: str = "data",
    split: str = "train",
    resolution: int | None = None,
    n: int | None = None,
    inception_weights: str | None = None,
    batch_size: int = 50,
    device: str = "auto",
) -> Reference:
    """The features of `data`'s `split` (its first `n` images, by default up to 50,000) with their protocol."""
    chosen = select_device(device)
    dataset = load_data(data, root, resolution, split)
    count = min(len(dataset), n or FID_REFERENCE_IMAGES)  # type: ignore[arg-type]
    model = build_features(features, inception_weights).to(chosen)
    protocol = data_protocol(model, features, dataset, count, f"{data} {split}", inception_weights)
    return dataset_reference(model, dataset, count, batch_size, chosen, protocol)


def build_statistics(out: Path, data: str, features: str, **options) -> Reference:
    """`data_statistics`, written to `out` (pytorch-fid's `.npz` with the features and protocol)."""
    reference = data_statistics(data, features, **options)
    reference.save(Path(out))
    return reference


# A Fréchet distance this small between stored and recomputed statistics is rounding: scores differ by far more.
AGREEMENT = 1e-3


@dataclass(frozen=True)
class Verification:
    stored: Protocol
    frechet: float  # between the stored statistics and recomputed ones: 0 when they are the same
    mean_gap: float  # max |Δμ|
    covariance_gap: float  # max |ΔΣ|
    weights_match: bool

    @property
    def agrees(self) -> bool:
        return self.weights_match and self.frechet <= AGREEMENT


def verify_statistics(
    path: Path, root: str = "data", inception_weights: str | None = None, batch_size: int = 50, device: str = "auto"
) -> Verification:
    """Recompute the statistics a file's protocol describes and compare them with the stored ones."""
    stored = Reference.load(path)
    if stored.protocol is None:
        raise GanlipError(
            f"{path} carries no protocol (a pytorch-fid file, or written before ganlip embedded one); rebuild it "
            f"with `ganlip stats build`."
        )
    protocol = stored.protocol
    data, _, split = protocol.source.partition(" ")
    rebuilt = data_statistics(
        data,
        protocol.features,
        root,
        split,
        protocol.resolution,
        protocol.samples,
        inception_weights,
        batch_size,
        device,
    )
    assert rebuilt.protocol is not None
    return Verification(
        stored=protocol,
        frechet=float(frechet_distance(stored.mu, stored.sigma, rebuilt.mu, rebuilt.sigma)),
        mean_gap=float(np.abs(stored.mu - rebuilt.mu).max()),
        covariance_gap=float(np.abs(stored.sigma - rebuilt.sigma).max()),
        weights_match=rebuilt.protocol.weights_sha256 == protocol.weights_sha256,
    )


def protocol_lines(sources: tuple[str, ...], features: str, inception_weights: str | None, generated: int | None):
    """What `ganlip score` prints under its scores: the protocol of this score, each statistics file's own, and a
    warning naming the difference where a file was made otherwise than this score reads it."""
    sha = weights_sha256(features, inception_weights)
    drawn = f"; generated: {generated:,} samples, 8-bit as saved PNGs" if generated else ""
    yield f"protocol: {features} features (weights sha256 {sha[:12]}){drawn}; statistics: {PRECISION}"
    for source in map(Path, sources):
        if source.suffix != ".npz":
            continue
        stored = Reference.load(source).protocol
        if stored is None:
            yield f"  {source}: no protocol recorded (a pytorch-fid file); `ganlip stats build` writes one"
            continue
        yield f"  {source}: {stored.describe()}"
        if (stored.features, stored.weights_sha256) != (features, sha):
            yield (
                f"warning: {source} was made with {stored.features} features (sha256 {stored.weights_sha256[:12]}), "
                f"this score reads {features} (sha256 {sha[:12]}); its scores are not comparable."
            )
