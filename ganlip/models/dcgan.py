"""DCGAN (Radford et al. 2016) at 32 and 64 px. The generator doubles the resolution with stride-2
transposed convolutions from 4x4, with batch norm and ReLU; the critic mirrors it with stride-2
convolutions and LeakyReLU(0.2), and no batch norm (it would couple the samples of a batch and break
per-sample gradient penalties). Widths at `width=64`: 64 px: G 512-256-128-64, D 64-128-256-512;
32 px: G 256-128-64, D 64-128-256 (the WGAN-GP CIFAR DCGAN at DIM=64). Both networks' weights are drawn from
N(0, 0.02) as DCGAN's paper says; batch norm scales from N(1, 0.02) and biases and shifts zero as PyTorch's
DCGAN example does (`init.dcgan_`).

Class-conditional (`num_classes`): the generator's batch norms become conditional batch norms, the critic a
projection discriminator whose `φ(x)` is the last feature map (what its output convolution reads, flattened),
so that `D(x, y) = conv_out(φ(x)) + ⟨embed(y), φ(x)⟩`."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from torch import Tensor, nn

from ganlip.models.activations import LeakyReLU
from ganlip.models.activations import critic_activation as choose_activation
from ganlip.models.conditional import ClassEmbedding, batch_norm, generator_labels, projected, run_layers
from ganlip.models.init import dcgan_
from ganlip.models.registry import register_model

LEAKY = partial(LeakyReLU, 0.2)  # the critic's own activation (DCGAN's slope)


class DCGANGenerator(nn.Module):
    def __init__(self, latent_dim: int, channels: int, resolution: int, width: int, classes: int | None = None):
        super().__init__()
        self.latent_dim, self.classes = latent_dim, classes
        n_up = int(math.log2(resolution)) - 2
        features = width * 2 ** (n_up - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, features, 4, 1, 0, bias=False),
            batch_norm(features, classes),
            nn.ReLU(),
        ]
        for _ in range(n_up - 1):
            layers += [
                nn.ConvTranspose2d(features, features // 2, 4, 2, 1, bias=False),
                batch_norm(features // 2, classes),
                nn.ReLU(),
            ]
            features //= 2
        layers += [nn.ConvTranspose2d(features, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        dcgan_(self)

    def forward(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        labels = generator_labels(y, self.classes, z)
        if labels is None:
            return self.net(z[:, :, None, None])
        return run_layers(self.net, z[:, :, None, None], labels)


class DCGANCritic(nn.Module):
    def __init__(
        self,
        channels: int,
        resolution: int,
        width: int,
        activation: Callable[[], nn.Module] = LEAKY,
        classes: int | None = None,
    ):
        super().__init__()
        n_down = int(math.log2(resolution)) - 2
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), activation()]
        features = width
        for _ in range(n_down - 1):
            layers += [nn.Conv2d(features, features * 2, 4, 2, 1), activation()]
            features *= 2
        layers.append(nn.Conv2d(features, 1, 4, 1, 0))
        self.net = nn.Sequential(*layers)
        dcgan_(self)
        # registered after the init: DCGAN's N(0, 0.02) is for its own layers, the embedding keeps its Glorot init
        self.embedding = ClassEmbedding(classes, features * 4 * 4) if classes else None
        # the layers a Lipschitz bound reads as one head, side by side (metrics.spectra)
        self.projection_layers = (f"net.{len(self.net) - 1}", "embedding") if classes else None

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        return projected(self.net, self.embedding, x, y)


@register_model(
    "dcgan",
    data_kind="images",
    resolutions=(32, 64),
    latent_dim=128,
    width=64,
    critic_activation="leaky_relu",
    num_classes=None,
)
def build_dcgan(
    data_shape: tuple[int, ...], latent_dim: int, width: int, critic_activation: str, num_classes: int | None
) -> tuple[nn.Module, nn.Module]:
    channels, resolution, _ = data_shape
    activation = choose_activation(critic_activation, "leaky_relu", LEAKY, width)
    generator = DCGANGenerator(latent_dim, channels, resolution, width, num_classes)  # first: the seeded stream
    return generator, DCGANCritic(channels, resolution, width, activation, num_classes)
