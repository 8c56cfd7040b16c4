"""Train the feature networks that ship in ganlip/metrics/weights/ (seeded, a few CPU minutes each).

    python scripts/train_feature_nets.py                    # both networks
    python scripts/train_feature_nets.py --only digits-cnn  # one of them

Each network is written as NAME.safetensors with a NAME.json sidecar holding its recipe, the SHA-256 of the
data it was trained on (decoded uint8 pixels and labels, so the same whatever file layout held them) and its
held-out accuracy. Fashion-MNIST comes from torchvision's layout under --data-root or Debian's
dataset-fashion-mnist package; the digits are scikit-learn's, split 80/20 by a seeded permutation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from torch import Tensor

from ganlip.data.in_memory import uint8_images
from ganlip.data.mnist import fashion_mnist_labelled
from ganlip.metrics.classifier import RESOLUTION, SmallClassifier

WEIGHTS = Path(__file__).resolve().parent.parent / "ganlip" / "metrics" / "weights"


@dataclass(frozen=True)
class Recipe:
    epochs: int
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 5e-4
    flip: bool = False  # random horizontal flips (clothes, not digits)
    shift: int = 2  # random translations of up to this many pixels
    seed: int = 0


RECIPES = {"fashion-cnn": Recipe(epochs=8, flip=True), "digits-cnn": Recipe(epochs=40, batch_size=64)}


def checksum(*tensors: Tensor) -> str:
    digest = hashlib.sha256()
    for tensor in tensors:
        digest.update(tensor.contiguous().numpy().tobytes())
    return digest.hexdigest()


def fashion_data(root: Path) -> tuple[Tensor, Tensor, Tensor, Tensor, str]:
    train_images, train_labels = fashion_mnist_labelled(root, "train")
    test_images, test_labels = fashion_mnist_labelled(root, "test")
    digest = checksum(train_images, train_labels, test_images, test_labels)
    return train_images, train_labels, test_images, test_labels, digest


def digits_data(seed: int) -> tuple[Tensor, Tensor, Tensor, Tensor, str]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.from_numpy(digits.images * (255 / 16)).round().to(torch.uint8)[:, None]
    labels = torch.from_numpy(digits.target).to(torch.uint8)
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    cut = int(0.8 * len(images))
    train, test = order[:cut], order[cut:]
    return images[train], labels[train], images[test], labels[test], checksum(images, labels)


def augment(images: Tensor, recipe: Recipe, rng: torch.Generator) -> Tensor:
    if recipe.flip:
        flipped = torch.rand(len(images), generator=rng) < 0.5
        images = torch.where(flipped[:, None, None, None], images.flip(-1), images)
    if recipe.shift:
        padded = F.pad(images, [recipe.shift] * 4, value=-1.0)
        dx, dy = (int(v) for v in torch.randint(0, 2 * recipe.shift + 1, (2,), generator=rng))
        images = padded[..., dy : dy + RESOLUTION, dx : dx + RESOLUTION]
    return images


@torch.no_grad()
def accuracy(model: SmallClassifier, images: Tensor, labels: Tensor) -> float:
    model.eval()
    predictions = torch.cat([model(batch).argmax(1) for batch in images.split(1000)])
    return (predictions == labels.long()).float().mean().item()


def train(name: str, data: tuple[Tensor, Tensor, Tensor, Tensor, str], recipe: Recipe) -> dict:
    train_u8, train_labels, test_u8, test_labels, digest = data
    torch.manual_seed(recipe.seed)
    train_images = uint8_images(train_u8, RESOLUTION).batch(torch.arange(len(train_u8)))
    test_images = uint8_images(test_u8, RESOLUTION).batch(torch.arange(len(test_u8)))
    model = SmallClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    steps = recipe.epochs * (len(train_images) // recipe.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, recipe.lr, total_steps=steps)
    rng = torch.Generator().manual_seed(recipe.seed)
    started = time.perf_counter()
    for epoch in range(recipe.epochs):
        model.train()
        order = torch.randperm(len(train_images), generator=rng)
        for start in range(0, len(order) - recipe.batch_size + 1, recipe.batch_size):
            batch = order[start : start + recipe.batch_size]
            loss = F.cross_entropy(model(augment(train_images[batch], recipe, rng)), train_labels[batch].long())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        held_out = accuracy(model, test_images, test_labels)
        print(
            f"{name} epoch {epoch + 1}/{recipe.epochs}: held-out accuracy {held_out:.4f} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    weights = WEIGHTS / f"{name}.safetensors"
    weights.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    sidecar = {
        "name": name,
        "architecture": "ganlip.metrics.classifier.SmallClassifier (32-64-128 conv stages, 128-d features)",
        "feature_dims": 128,
        "recipe": {"optimizer": "AdamW", "schedule": "one-cycle", **asdict(recipe)},
        "data_sha256": digest,
        "train_images": len(train_images),
        "held_out_images": len(test_images),
        "held_out_accuracy": round(held_out, 4),
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "trained_with": f"torch {torch.__version__}, {platform.machine()}, {torch.get_num_threads()} threads",
        "training_seconds": round(time.perf_counter() - started),
    }
    weights.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n")
    return sidecar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(RECIPES), help="train one network")
    parser.add_argument("--data-root", default="data", type=Path, help="where torchvision's Fashion-MNIST lies")
    args = parser.parse_args()
    for name in [args.only] if args.only else sorted(RECIPES):
        recipe = RECIPES[name]
        data = fashion_data(args.data_root) if name == "fashion-cnn" else digits_data(recipe.seed)
        sidecar = train(name, data, recipe)
        print(f"wrote {WEIGHTS / name}.safetensors: held-out accuracy {sidecar['held_out_accuracy']:.4f}")


if __name__ == "__main__":
    main()
