"""The shipped feature networks: their records, a held-out accuracy check, and how `auto` chooses."""

import hashlib
import os
from importlib import resources

import pytest
import torch

from ganlip.data.mnist import DEBIAN_FASHION_MNIST, fashion_mnist_labelled
from ganlip.errors import GanlipError
from ganlip.metrics.features import available_features, build_features, choose_features, shipped_record

SHIPPED = {"fashion-cnn": 0.90, "digits-cnn": 0.97}  # the held-out accuracy each must reach


@pytest.mark.parametrize(("name", "least"), SHIPPED.items())
def test_shipped_networks_are_small_recorded_and_accurate(name, least):
    weights = resources.files("ganlip.metrics") / "weights" / f"{name}.safetensors"
    record = shipped_record(name)
    assert len(weights.read_bytes()) < 2 * 2**20
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == record["weights_sha256"]
    assert record["held_out_accuracy"] >= least
    assert {"epochs", "lr", "seed"} <= set(record["recipe"]) and len(record["data_sha256"]) == 64


def _accuracy(name: str, images: torch.Tensor, labels: torch.Tensor) -> float:
    network = build_features(name).network
    with torch.no_grad():
        return (network(images).argmax(1) == labels.long()).float().mean().item()


def test_digits_network_on_its_held_out_split():
    """The same seeded 80/20 split as scripts/train_feature_nets.py: the 360 digits it never saw."""
    from ganlip.data.in_memory import uint8_images
    from scripts.train_feature_nets import RECIPES, digits_data

    _, _, test_u8, test_labels, digest = digits_data(RECIPES["digits-cnn"].seed)
    assert digest == shipped_record("digits-cnn")["data_sha256"]
    images = uint8_images(test_u8, 32).batch(torch.arange(len(test_u8)))
    assert _accuracy("digits-cnn", images, test_labels) >= 0.97


@pytest.mark.skipif(
    not DEBIAN_FASHION_MNIST.exists() and not os.environ.get("GANLIP_REQUIRE_FASHION_MNIST"),
    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); CI requires it",
)
def test_fashion_network_on_part_of_the_test_split():
    from ganlip.data.in_memory import uint8_images

    test_u8, labels = fashion_mnist_labelled(DEBIAN_FASHION_MNIST, "test")
    images = uint8_images(test_u8[:2000], 32).batch(torch.arange(2000))
    assert _accuracy("fashion-cnn", images, labels[:2000]) >= 0.90


def test_features_of_any_image_size_and_colour():
    network = build_features("fashion-cnn")
    gray = torch.rand(3, 1, 32, 32) * 2 - 1
    assert network(gray).shape == (3, 128)
    assert torch.allclose(network(gray.expand(-1, 3, -1, -1)), network(gray), atol=1e-6)  # RGB averaged
    assert network(torch.rand(2, 3, 64, 64)).shape == (2, 128)


def test_auto_picks_inception_when_its_weights_are_here(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv("GANLIP_INCEPTION_WEIGHTS", raising=False)
    assert choose_features("auto", "fashion-mnist") == "fashion-cnn"
    assert choose_features("auto", "digits") == "digits-cnn"
    assert choose_features("auto", "celeba") is None
    assert choose_features("none", "digits") is None
    fake_weights = tmp_path / "weights.pth"
    fake_weights.write_bytes(b"only its presence is checked")
    assert choose_features("auto", "digits", fake_weights) == "inception"
    assert set(SHIPPED) | {"inception"} <= set(available_features())
    with pytest.raises(GanlipError, match="unknown feature network 'fashion'"):
        choose_features("fashion", "digits")
