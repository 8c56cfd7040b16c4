"""pytorch-fid's Inception for FID (the TensorFlow FID weights, 2048-d pool features, its preprocessing): finding
and downloading its weights, and the feature network built from them. The statistics of features and their `.npz`
files are `ganlip.metrics.statistics`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.errors import GanlipError

WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{WEIGHTS_FILE}"
WEIGHTS_VARIABLE = "GANLIP_INCEPTION_WEIGHTS"
URL_VARIABLE = "GANLIP_INCEPTION_URL"  # another place to download the same file from (a mirror)
# torch.hub's convention: the file name's last part is the start of the file's SHA-256.
WEIGHTS_HASH_PREFIX = WEIGHTS_FILE.rsplit("-", 1)[1].split(".")[0]
DOWNLOAD_TIMEOUT_S = 30
# pytorch-fid's Inception blocks by their feature sizes; FID is computed on the last, the pool features.
DIMS = (64, 192, 768, 2048)
DEFAULT_DIMS = DIMS[-1]


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


def ensure_weights(explicit: str | Path | None = None, progress: bool = True) -> Path:
    """`find_weights`, downloading pytorch-fid's file into its cache when no other place was named and the
    machine is online (torch.hub's downloader, with its SHA-256 check; a failed or corrupt download leaves
    nothing behind)."""
    if explicit or os.environ.get(WEIGHTS_VARIABLE) or hub_weights_path().is_file():
        return find_weights(explicit)
    download_weights(os.environ.get(URL_VARIABLE) or WEIGHTS_URL, hub_weights_path(), progress)
    return find_weights()


def download_weights(url: str, destination: Path, progress: bool = True) -> None:
    import socket
    import urllib.error

    destination.parent.mkdir(parents=True, exist_ok=True)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        torch.hub.download_url_to_file(url, str(destination), hash_prefix=WEIGHTS_HASH_PREFIX, progress=progress)
    except (urllib.error.URLError, OSError) as error:
        raise GanlipError(
            f"FID Inception weights not found at {destination}, and downloading {url} failed "
            f"({getattr(error, 'reason', error)}). Download it on a machine with internet to {destination}, or "
            f"pass --inception-weights FILE / set {WEIGHTS_VARIABLE}=FILE."
        ) from None
    except RuntimeError as error:  # torch.hub's hash check
        raise GanlipError(
            f"the download of {url} is corrupt ({error}); nothing was kept. Try again, or fetch the file "
            f"yourself to {destination}."
        ) from None
    finally:
        socket.setdefaulttimeout(previous)


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

    def __init__(self, dims: int = DEFAULT_DIMS, weights: str | Path | None = None):
        super().__init__()
        from pytorch_fid.inception import InceptionV3

        if dims not in DIMS:
            raise GanlipError(
                f"FID feature size {dims} is not one of pytorch-fid's blocks: {', '.join(map(str, DIMS))}."
            )
        path = ensure_weights(weights)
        with _hub_serving(path):
            self.inception = InceptionV3([InceptionV3.BLOCK_INDEX_BY_DIM[dims]])
        self.dims = dims
        # The 1008-way classification layer behind the pool features, for the Inception Score; pytorch-fid's
        # InceptionV3 keeps only the blocks.
        classifier = (
            torch.load(path, map_location="cpu", weights_only=True)["fc.weight"] if dims == DEFAULT_DIMS else None
        )
        self.register_buffer("classifier", classifier, persistent=False)
        self.eval()

    @torch.no_grad()
    def logits(self, features: Tensor) -> Tensor:
        """The class logits of pool features without the layer's bias (torch-fidelity's `logits_unbiased`)."""
        if self.classifier is None:
            raise GanlipError(
                f"the Inception Score needs Inception's {DEFAULT_DIMS}-d pool features, not {self.dims}-d; set "
                f"fid_dims={DEFAULT_DIMS}."
            )
        return features.to(self.classifier.dtype) @ self.classifier.T

    @torch.no_grad()
    def forward(self, images: Tensor) -> Tensor:
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)
        (features,) = self.inception((images.float() + 1) / 2)  # pytorch-fid expects [0, 1]
        if features.shape[-1] != 1:
            features = F.adaptive_avg_pool2d(features, 1)
        return features.flatten(1)
