import gzip

import pytest
import torch

from ganlip.data import load_data
from ganlip.data import mnist as mnist_module
from ganlip.errors import GanlipError


def write_idx(path, images: torch.Tensor, compress: bool = False) -> None:
    """LeCun's IDX format: magic 0x803, three big-endian dimensions, then uint8 pixels."""
    header = (0x803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in images.shape)
    data = header + images.numpy().tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    (gzip.open if compress else open)(path, "wb").write(data)


def write_labels(path, n: int, labels: bytes | None = None, compress: bool = False) -> None:
    data = (0x801).to_bytes(4, "big") + n.to_bytes(4, "big") + (labels if labels is not None else bytes(n))
    (gzip.open if compress else open)(path, "wb").write(data)


@pytest.mark.parametrize(("name", "folder"), [("mnist", "MNIST"), ("fashion-mnist", "FashionMNIST")])
def test_torchvision_layout_is_read_and_resized(tmp_path, name, folder):
    images = torch.randint(0, 256, (6, 28, 28), dtype=torch.uint8)
    images[0] = 255
    raw = tmp_path / folder / "raw"
    for split, n in (("train", 6), ("t10k", 2)):
        write_idx(raw / f"{split}-images-idx3-ubyte", images[:n])
        write_labels(raw / f"{split}-labels-idx1-ubyte", n, bytes([3, 1, 4, 1, 5, 9][:n]))
    data = load_data(name, tmp_path)
    assert data.labels.tolist() == [3, 1, 4, 1, 5, 9] and data.classes == 10  # the label file's, in order
    batch = data.batch(torch.arange(6))
    assert batch.shape == (6, 1, 32, 32)
    assert torch.allclose(batch[0], torch.ones(1, 32, 32))
    assert batch.min() >= -1 and batch.max() <= 1


def test_fashion_mnist_falls_back_to_debians_files(tmp_path, monkeypatch):
    images = torch.randint(0, 256, (4, 28, 28), dtype=torch.uint8)
    write_idx(tmp_path / "debian" / "train-images-idx3-ubyte.gz", images, compress=True)
    write_labels(tmp_path / "debian" / "train-labels-idx1-ubyte.gz", 4, bytes([7, 0, 2, 7]), compress=True)
    monkeypatch.setattr(mnist_module, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    data = load_data("fashion-mnist", tmp_path / "empty", resolution=28)
    assert torch.equal(data.tensor[:, 0], images)
    assert data.labels.tolist() == [7, 0, 2, 7]


def test_missing_data_names_the_layout_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_module, "DEBIAN_FASHION_MNIST", tmp_path / "nowhere")
    with pytest.raises(GanlipError) as error:
        load_data("fashion-mnist", tmp_path)
    assert "FashionMNIST/raw/train-images-idx3-ubyte" in str(error.value)
    assert "--download" in str(error.value) and "dataset-fashion-mnist" in str(error.value)


def test_a_file_with_another_magic_number_is_named(tmp_path, monkeypatch):
    """ganlip's own IDX reader (Debian's Fashion-MNIST files): a label file's magic where images belong."""
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian" / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress((0x801).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes(2))
    )
    monkeypatch.setattr(mnist_module, "DEBIAN_FASHION_MNIST", tmp_path / "debian")
    with pytest.raises(GanlipError, match=r"is not an IDX image file \(magic 0x801, expected 0x803\)"):
        load_data("fashion-mnist", tmp_path / "empty")
