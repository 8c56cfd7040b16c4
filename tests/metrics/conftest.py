"""Fixtures of the metric tests: pytorch-fid's Inception with random weights where torch.hub looks, and image
folders."""

import numpy as np
import pytest
import torch
from PIL import Image
from pytorch_fid import inception as pytorch_fid_inception

from ganlip.metrics.fid import WEIGHTS_FILE


def random_fid_inception() -> torch.nn.Module:
    """pytorch-fid's FID Inception architecture (fid_inception_v3 without its weight download), randomly
    initialised: the real weights cannot be downloaded here, and no number from these is a real FID."""
    torch.manual_seed(0)
    model = pytorch_fid_inception._inception_v3(num_classes=1008, aux_logits=False, weights=None)
    model.Mixed_5b = pytorch_fid_inception.FIDInceptionA(192, pool_features=32)
    model.Mixed_5c = pytorch_fid_inception.FIDInceptionA(256, pool_features=64)
    model.Mixed_5d = pytorch_fid_inception.FIDInceptionA(288, pool_features=64)
    model.Mixed_6b = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=128)
    model.Mixed_6c = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=160)
    model.Mixed_6d = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=160)
    model.Mixed_6e = pytorch_fid_inception.FIDInceptionC(768, channels_7x7=192)
    model.Mixed_7b = pytorch_fid_inception.FIDInceptionE_1(1280)
    model.Mixed_7c = pytorch_fid_inception.FIDInceptionE_2(2048)
    return model


@pytest.fixture(scope="module")
def torch_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("torch_home")
    (home / "hub" / "checkpoints").mkdir(parents=True)
    torch.save(random_fid_inception().state_dict(), home / "hub" / "checkpoints" / WEIGHTS_FILE)
    return home


@pytest.fixture
def weights_in_hub(torch_home, monkeypatch, tmp_path):
    """The test's weights where pytorch-fid looks ($TORCH_HOME/hub/checkpoints), and an empty stats cache."""
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    monkeypatch.setenv("GANLIP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    return torch_home / "hub" / "checkpoints" / WEIGHTS_FILE


def image_folder(path, seed: int, n: int = 12):
    path.mkdir()
    rng = np.random.default_rng(seed)
    for i in range(n):
        base = rng.integers(0, 256, (1, 1, 3))
        Image.fromarray((base + rng.integers(0, 60, (32, 32, 3))).clip(0, 255).astype(np.uint8)).save(path / f"{i}.png")
    return path
