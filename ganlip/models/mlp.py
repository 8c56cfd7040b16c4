"""Multilayer perceptrons for 2-D toy data, as in the WGAN-GP toy experiments (gan_toy.py: 3 ReLU layers
of width 512, 2-D noise), initialised as gan_toy's tflib does: hidden layers He-uniform (`initialization='he'`,
gan_toy.py line 37; tflib/ops/linear.py line 62: uniform with std sqrt(2 / fan_in)), the output layer
Glorot-uniform (tflib's default, linear.py line 55: std sqrt(2 / (fan_in + fan_out))), biases zero (line 144).

Class-conditional (`num_classes`): the generator reads its latent with the class one-hot beside it (Mirza &
Osindero 2014: an MLP has no batch norm to condition), the critic projects the class on its last hidden layer
(`D(x, y) = w·φ(x) + b + ⟨embed(y), φ(x)⟩`, Miyato & Koyama 2018)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.models.activations import ReLU
from ganlip.models.activations import critic_activation as choose_activation
from ganlip.models.conditional import ClassEmbedding, generator_labels, projected
from ganlip.models.init import glorot_, he_
from ganlip.models.registry import register_model


def _mlp(n_in: int, width: int, depth: int, n_out: int, activation: Callable[[], nn.Module] = nn.ReLU) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), activation()]
    layers.append(nn.Linear(width if depth else n_in, n_out))
    network = nn.Sequential(*layers)
    initialise_like_gan_toy(network)
    return network


def initialise_like_gan_toy(network: nn.Sequential) -> None:
    *hidden, last = [layer for layer in network if isinstance(layer, nn.Linear)]
    for layer in hidden:
        he_(layer)
    glorot_(last)


class MLPGenerator(nn.Module):
    def __init__(self, latent_dim: int, data_dim: int, width: int, depth: int, classes: int | None = None):
        super().__init__()
        self.latent_dim, self.classes = latent_dim, classes
        self.net = _mlp(latent_dim + (classes or 0), width, depth, data_dim)

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        labels = generator_labels(y, self.classes, z)
        if labels is None or self.classes is None:
            return self.net(z)
        return self.net(torch.cat([z, F.one_hot(labels, self.classes).to(z.dtype)], dim=1))


class MLPCritic(nn.Module):
    def __init__(
        self,
        data_dim: int,
        width: int,
        depth: int,
        activation: Callable[[], nn.Module] = ReLU,
        classes: int | None = None,
    ):
        super().__init__()
        self.net = _mlp(data_dim, width, depth, 1, activation)  # ganlip's ReLU: a cheaper double backward
        self.embedding = ClassEmbedding(classes, width if depth else data_dim) if classes else None
        # the layers a Lipschitz bound reads as one head, side by side (metrics.spectra)
        self.projection_layers = (f"net.{len(self.net) - 1}", "embedding") if classes else None

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        return projected(self.net, self.embedding, x, y)


@register_model("mlp", data_kind="points", latent_dim=2, width=512, depth=3, critic_activation="relu", num_classes=None)
def build_mlp(
    data_shape: tuple[int, ...],
    latent_dim: int,
    width: int,
    depth: int,
    critic_activation: str,
    num_classes: int | None,
) -> tuple[nn.Module, nn.Module]:
    (data_dim,) = data_shape
    activation = choose_activation(critic_activation, "relu", ReLU, width)
    generator = MLPGenerator(latent_dim, data_dim, width, depth, num_classes)
    return generator, MLPCritic(data_dim, width, depth, activation, num_classes)
