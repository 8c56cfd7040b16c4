"""Feature networks behind one registry: `inception` (pytorch-fid's, for FID) and the small classifiers that
ship inside the package for data sets that can be had without internet. Each maps images in [-1, 1] to
`(N, dims)` features; the Fréchet distance, KID, precision/recall and density/coverage are computed on them."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlip.errors import GanlipError
from ganlip.metrics.fid import DEFAULT_DIMS
from ganlip.registry import Registry

AUTO = "auto"
NONE = "none"


@dataclass(frozen=True)
class FeatureNet:
    name: str
    dims: int
    build: Callable[..., nn.Module]  # build(inception_weights=None, fid_dims=DEFAULT_DIMS) -> module
    data: tuple[str, ...] = ()  # the data sets it was trained for (empty: any images)
    summary: str = ""


_NETS: Registry[FeatureNet] = Registry("feature network")


def available_features() -> list[str]:
    return _NETS.names()


def feature_net(name: str) -> FeatureNet:
    return _NETS[name]


class ShippedClassifier(nn.Module):
    """A shipped classifier's feature layer, in eval mode, without gradients."""

    def __init__(self, name: str):
        super().__init__()
        from safetensors.torch import load_file

        from ganlip.metrics.classifier import FEATURE_DIMS, SmallClassifier

        self.network = SmallClassifier()
        with resources.as_file(resources.files("ganlip.metrics") / "weights" / f"{name}.safetensors") as path:
            self.network.load_state_dict(load_file(str(path)))
        self.dims = FEATURE_DIMS
        self.eval()

    @torch.no_grad()
    def forward(self, images: Tensor) -> Tensor:
        return self.network.embed(images.float())

    @torch.no_grad()
    def logits(self, features: Tensor) -> Tensor:
        """The classifier's 10-way head on its features."""
        return self.network.head(features.float())


def shipped_record(name: str) -> dict:
    """The JSON sidecar of a shipped network: its recipe, data checksum and held-out accuracy."""
    return json.loads((resources.files("ganlip.metrics") / "weights" / f"{name}.json").read_text())


def _inception(inception_weights: str | Path | None = None, fid_dims: int = DEFAULT_DIMS) -> nn.Module:
    from ganlip.metrics.fid import InceptionFeatures

    return InceptionFeatures(fid_dims, inception_weights)


def _shipped(name: str, inception_weights: str | Path | None = None, fid_dims: int = DEFAULT_DIMS) -> nn.Module:
    return ShippedClassifier(name)


_NETS.add("inception", FeatureNet("inception", DEFAULT_DIMS, _inception, summary="pytorch-fid's InceptionV3 (FID)"))
for _name, _data, _summary in (
    ("fashion-cnn", ("fashion-mnist",), "ganlip's Fashion-MNIST classifier, 128-d"),
    ("digits-cnn", ("digits",), "ganlip's scikit-learn digits classifier, 128-d"),
):
    _NETS.add(_name, FeatureNet(_name, 128, functools.partial(_shipped, _name), _data, _summary))


def build_features(name: str, inception_weights: str | Path | None = None, fid_dims: int = DEFAULT_DIMS) -> nn.Module:
    """The feature network `name` (GanlipError for an unknown name or missing Inception weights)."""
    return feature_net(name).build(inception_weights=inception_weights, fid_dims=fid_dims)


def choose_features(setting: str, data: str, inception_weights: str | Path | None = None) -> str | None:
    """The feature network `setting` names; for `auto`, Inception when its weights are on this machine, else
    the network trained on `data`, else None (no semantic metric for these data)."""
    if setting == NONE:
        return None
    if setting != AUTO:
        return feature_net(setting).name
    from ganlip.metrics.fid import find_weights

    try:
        find_weights(inception_weights)
        return "inception"
    except GanlipError:
        return next((net.name for net in _NETS.values() if data in net.data), None)
