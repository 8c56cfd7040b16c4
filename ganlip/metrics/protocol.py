"""How a reference or a score was computed, written beside it: two Fréchet distances are comparable only when
these agree (pytorch-fid #11 and #39, clean-fid #2 and #27 are about the ones that do not)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PRECISION = "float64 mean and covariance of float32 features"
GENERATED_QUANTIZATION = "8-bit, as a saved PNG"
SCORE_PROTOCOL = "score_protocol.json"  # in a run directory: how its scores are computed


@dataclass(frozen=True)
class Protocol:
    """One side of a score: the feature network and its weights' SHA-256, the images' size and quantization,
    how many there were, where they came from (a data set's split, a folder, a generator), the precision."""

    features: str
    weights_sha256: str
    dims: int
    resolution: int | None
    quantization: str  # "8-bit files" (data, folders), "8-bit, as a saved PNG" (generated), "as stored"
    samples: int
    source: str  # "fashion-mnist train", a folder, a generator
    precision: str = PRECISION

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Protocol:
        return cls(**json.loads(text))

    def describe(self) -> str:
        size = f"{self.resolution} px" if self.resolution else "native size"
        return (
            f"{self.features} features ({self.dims}-d, weights sha256 {self.weights_sha256[:12]}), {size}, "
            f"{self.quantization}, {self.samples:,} samples of {self.source}, {self.precision}"
        )

    def differences(self, other: Protocol, ignore: tuple[str, ...] = ("source",)) -> list[str]:
        """`field: ours vs theirs` for each field that differs (the source aside by default)."""
        ours, theirs = dataclasses.asdict(self), dataclasses.asdict(other)
        return [
            f"{key}: {ours[key]} vs {theirs[key]}" for key in ours if key not in ignore and ours[key] != theirs[key]
        ]


@dataclass(frozen=True)
class ScoreProtocol:
    """How a run's scores are computed (its `score_protocol.json`): the data side, and the generated side's sample
    count and quantization."""

    real: Protocol
    generated_samples: int | None
    generated_quantization: str = GENERATED_QUANTIZATION

    def to_json(self) -> str:
        generated = {"samples": self.generated_samples, "quantization": self.generated_quantization}
        return json.dumps({"real": dataclasses.asdict(self.real), "generated": generated}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> ScoreProtocol:
        values = json.loads(text)
        generated = values["generated"]
        return cls(Protocol(**values["real"]), generated["samples"], generated["quantization"])

    def describe(self) -> str:
        return f"{self.real.describe()}; generated: {self.generated_samples:,} samples, {self.generated_quantization}"

    def differences(self, other: ScoreProtocol) -> list[str]:
        """Every field that differs, the data side's source (its split) included."""
        found = self.real.differences(other.real, ignore=())
        if (self.generated_samples, self.generated_quantization) != (
            other.generated_samples,
            other.generated_quantization,
        ):
            found.append(f"generated samples: {self.generated_samples} vs {other.generated_samples}")
        return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weights_sha256(features: str, inception_weights: str | Path | None = None) -> str:
    """The SHA-256 of the feature network's weights file: a shipped network's, or the Inception file in use."""
    if features == "inception":
        from ganlip.metrics.fid import find_weights

        return file_sha256(find_weights(inception_weights))
    with resources.as_file(resources.files("ganlip.metrics") / "weights" / f"{features}.safetensors") as path:
        return file_sha256(path)
