"""The feature statistics every feature network's scores use: features of batches, their mean and covariance as
pytorch-fid computes them, and the `.npz` files that keep them (pytorch-fid's layout, plus the features)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ganlip.atomic import atomic_path
from ganlip.errors import GanlipError
from ganlip.metrics.protocol import Protocol


def statistics(features: Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance, as pytorch-fid computes them (float64, `np.cov(rowvar=False)`)."""
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def batched_features(model: nn.Module, batches: Iterator[Tensor], device: torch.device) -> np.ndarray:
    model.to(device)
    return np.concatenate([model(batch.to(device)).double().cpu().numpy() for batch in batches])


def save_statistics(
    path: Path,
    mu: np.ndarray,
    sigma: np.ndarray,
    features: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    protocol: Protocol | None = None,
) -> None:
    """pytorch-fid's `.npz` layout (mu, sigma), plus the features themselves and their classes when given and how
    they were computed (`protocol`, a JSON string array, which pytorch-fid ignores), written atomically."""
    arrays: dict[str, Any] = {"mu": mu, "sigma": sigma}
    if protocol is not None:
        arrays["protocol"] = np.array(protocol.to_json())
    if features is not None:
        arrays["features"] = features
        if labels is not None:
            arrays["labels"] = labels
    with (
        atomic_path(path, "free disk space or move the cache with $GANLIP_CACHE") as temporary,
        open(temporary, "wb") as file,
    ):
        np.savez(file, **arrays)


def load_statistics(
    path: str | Path,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, Protocol | None]:
    """mu, sigma and (None when absent) the features of a statistics file, their classes and how they were
    computed, checked for consistent shapes."""
    try:
        with np.load(path) as data:
            mu, sigma = data["mu"], data["sigma"]
            features = data["features"] if "features" in data.files else None
            labels = data["labels"] if "labels" in data.files else None
            protocol = Protocol.from_json(str(data["protocol"])) if "protocol" in data.files else None
    except (OSError, KeyError, ValueError) as error:
        raise GanlipError(f"{path} is not a statistics file with arrays mu and sigma ({error}).") from None
    consistent = mu.ndim == 1 and sigma.shape == (len(mu), len(mu))
    if not consistent or (features is not None and (features.ndim != 2 or features.shape[1] != len(mu))):
        raise GanlipError(
            f"{path} holds mu {mu.shape} and sigma {sigma.shape}, which are not the mean and covariance of one "
            f"feature space; pass a statistics file written by ganlip or pytorch-fid."
        )
    if labels is not None and (features is None or labels.shape != (len(features),)):
        raise GanlipError(f"{path} holds labels {labels.shape} that are not one class per feature row.")
    return mu, sigma, features, labels, protocol


def cache_directory() -> Path:
    return Path(os.environ.get("GANLIP_CACHE", Path.home() / ".cache" / "ganlip")) / "fid_stats"
