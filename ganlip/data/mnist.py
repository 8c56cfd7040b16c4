"""MNIST and Fashion-MNIST through torchvision (its layout under --data-root), and for Fashion-MNIST also
the files of Debian's `dataset-fashion-mnist` package."""

from __future__ import annotations

import gzip
from pathlib import Path

import torch
from torch import Tensor

from ganlip.data.in_memory import InMemory, uint8_images
from ganlip.data.registry import register_data
from ganlip.errors import GanlipError

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def _read_idx(path: Path, magic: int, what: str) -> bytes:
    """The bytes of an IDX file (plain or gzipped), the format of LeCun's MNIST files, checked for `magic`."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        data = file.read()
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise GanlipError(f"{path} is not an IDX {what} file (magic {found:#x}, expected {magic:#x}).")
    return data


def read_idx_images(path: Path) -> Tensor:
    """uint8 images `(N, 1, H, W)` from an IDX image file."""
    data = _read_idx(path, 0x803, "image")
    n, height, width = (int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in (1, 2, 3))
    images = torch.frombuffer(bytearray(data[16 : 16 + n * height * width]), dtype=torch.uint8)
    return images.view(n, 1, height, width)


def read_idx_labels(path: Path) -> Tensor:
    """uint8 labels `(N,)` from an IDX label file."""
    data = _read_idx(path, 0x801, "label")
    n = int.from_bytes(data[4:8], "big")
    return torch.frombuffer(bytearray(data[8 : 8 + n]), dtype=torch.uint8).clone()


def fashion_mnist_labelled(root: Path, split: str, download: bool = False) -> tuple[Tensor, Tensor]:
    """Fashion-MNIST's uint8 images `(N, 1, 28, 28)` and labels `(N,)` of `split` (train or test), from
    torchvision's layout under `root` or Debian's package files."""
    from torchvision.datasets import FashionMNIST

    found = _torchvision_images(FashionMNIST, root, split, download)
    if found is not None:
        return found
    prefix = DEBIAN_FASHION_MNIST / ("train" if split == "train" else "t10k")
    if not Path(f"{prefix}-images-idx3-ubyte.gz").exists():
        hint = f", or Debian's package files in {DEBIAN_FASHION_MNIST} (apt-get install dataset-fashion-mnist)"
        raise _layout_error("Fashion-MNIST", "FashionMNIST", root, hint)
    return read_idx_images(Path(f"{prefix}-images-idx3-ubyte.gz")), read_idx_labels(
        Path(f"{prefix}-labels-idx1-ubyte.gz")
    )


def _torchvision_images(dataset_class, root: Path, split: str, download: bool) -> tuple[Tensor, Tensor] | None:
    """The uint8 images `(N, 1, H, W)` and labels of a torchvision MNIST-style set, None where it is missing."""
    try:
        dataset = dataset_class(str(root), train=split == "train", download=download)
    except RuntimeError:
        return None
    return dataset.data[:, None], dataset.targets


def _layout_error(name: str, folder: str, root: Path, extra: str = "") -> GanlipError:
    return GanlipError(
        f"{name} not found: expected torchvision's layout {root / folder / 'raw'}/train-images-idx3-ubyte "
        f"(and the label and t10k files){extra}. Pass --data-root DIR where it lies, or add --download to fetch "
        f"it (needs internet)."
    )


@register_data("mnist", kind="images", resolution=32, classes=10)
def load_mnist(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> InMemory:
    from torchvision.datasets import MNIST

    found = _torchvision_images(MNIST, root, split, download)
    if found is None:
        raise _layout_error("MNIST", "MNIST", root)
    return uint8_images(found[0], resolution, labels=found[1], classes=10)


@register_data("fashion-mnist", kind="images", resolution=32, classes=10)
def load_fashion_mnist(root: Path, resolution: int | None, split: str, download: bool, seed: int) -> InMemory:
    images, labels = fashion_mnist_labelled(root, split, download)
    return uint8_images(images, resolution, labels=labels, classes=10)
