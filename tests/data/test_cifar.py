import pickle

import numpy as np
import pytest
import torch
import torchvision.datasets.cifar as torchvision_cifar

from ganlip.data import load_data
from ganlip.errors import GanlipError


def test_torchvision_layout_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    first = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
    for index, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        data = first if index == 0 else rng.integers(0, 256, (3, 3072), dtype=np.uint8)
        (folder / name).write_bytes(pickle.dumps({"data": data, "labels": [0, 1, 2]}))
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": [str(i) for i in range(10)]}))
    # Real files are checked against published MD5 sums; these fixtures cannot match them.
    monkeypatch.setattr(torchvision_cifar, "check_integrity", lambda path, md5=None: True)
    data = load_data("cifar10", tmp_path)
    assert len(data) == 15
    image = data.batch(torch.tensor([0]))[0]
    assert image.shape == (3, 32, 32)
    # CIFAR rows hold 1024 red, then green, then blue values of a 32x32 image
    expected = torch.from_numpy(first[0].reshape(3, 32, 32)).float() * 2 / 255 - 1
    assert torch.allclose(image, expected, atol=1e-6)


def test_missing_cifar_names_the_layout(tmp_path):
    with pytest.raises(GanlipError, match="cifar-10-batches-py"):
        load_data("cifar10", tmp_path)
