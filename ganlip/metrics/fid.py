"""FID with pytorch-fid's Inception (the TensorFlow FID weights, 2048-d pool features, its preprocessing) and
our own Fréchet distance. Reference statistics are cached as `.npz` files in pytorch-fid's format (mu, sigma)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.errors import GanlipError

WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{WEIGHTS_FILE}"
WEIGHTS_VARIABLE = "GANLIP_INCEPTION_WEIGHTS"
DIMS = (64, 192, 768, 2048)


def hub_weights_path() -> Path:
    """Where pytorch-fid (through torch.hub) caches the FID Inception weights."""
    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE


def find_weights(explicit: str | Path | None = None) -> Path:
    """The Inception weights: `explicit`, else $GANLIP_INCEPTION_WEIGHTS, else pytorch-fid's cache."""
    candidate = Path(explicit or os.environ.get(WEIGHTS_VARIABLE) or hub_weights_path())
    if not candidate.is_file():
        raise GanlipError(
            f"FID Inception weights not found at {candidate}. Download {WEIGHTS_URL} (on a machine with internet) "
            f"to {hub_weights_path()}, or pass --inception-weights FILE / set {WEIGHTS_VARIABLE}=FILE."
        )
    return candidate


@contextlib.contextmanager
def _hub_serving(weights: Path) -> Iterator[None]:
    """Point torch.hub at a folder holding `weights` under pytorch-fid's file name, so pytorch-fid loads it."""
    if weights.resolve() == hub_weights_path().resolve():
        yield
        return
    # torch.hub has no public way back to "unset" (follow $TORCH_HOME), so restore its private field as it was
    previous = getattr(torch.hub, "_hub_dir", None)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "checkpoints").mkdir()
        (Path(folder) / "checkpoints" / WEIGHTS_FILE).symlink_to(weights.resolve())
        torch.hub.set_dir(folder)
        try:
            yield
        finally:
            torch.hub._hub_dir = previous


class InceptionFeatures(nn.Module):
    """pytorch-fid's InceptionV3 at one feature block; maps images in [-1, 1] to `(N, dims)` features."""

    def __init__(self, dims: int = 2048, weights: str | Path | None = None):
        super().__init__()
        from pytorch_fid.inception import InceptionV3

        if dims not in DIMS:
            raise GanlipError(
                f"FID feature size {dims} is not one of pytorch-fid's blocks: {', '.join(map(str, DIMS))}."
            )
        with _hub_serving(find_weights(weights)):
            self.inception = InceptionV3([InceptionV3.BLOCK_INDEX_BY_DIM[dims]])
        self.dims = dims
        self.eval()

    @torch.no_grad()
    def forward(self, images: Tensor) -> Tensor:
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        (features,) = self.inception((images.float() + 1) / 2)  # pytorch-fid expects [0, 1]
        if features.shape[-1] != 1:
            features = F.adaptive_avg_pool2d(features, 1)
        return features.flatten(1)


def statistics(features: Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance, as pytorch-fid computes them (float64, `np.cov(rowvar=False)`)."""
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def batched_features(model: InceptionFeatures, batches: Iterator[Tensor], device: torch.device) -> np.ndarray:
    model.to(device)
    return np.concatenate([model(batch.to(device)).double().cpu().numpy() for batch in batches])


def save_statistics(path: Path, mu: np.ndarray, sigma: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp.npz")
    np.savez(temporary, mu=mu, sigma=sigma)
    os.replace(temporary, path)


def load_statistics(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path) as data:
            return data["mu"], data["sigma"]
    except (OSError, KeyError, ValueError) as error:
        raise GanlipError(f"{path} is not an FID statistics file with arrays mu and sigma ({error}).") from None


def cache_directory() -> Path:
    return Path(os.environ.get("GANLIP_CACHE", Path.home() / ".cache" / "ganlip")) / "fid_stats"


def cached_statistics(key: str, compute: Callable[[], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Statistics stored under `key` in the cache, computing the features with `compute` the first time."""
    path = cache_directory() / f"{key}.npz"
    if path.is_file():
        return load_statistics(path)
    mu, sigma = statistics(compute())
    save_statistics(path, mu, sigma)
    return mu, sigma
