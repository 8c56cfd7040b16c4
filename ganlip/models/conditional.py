"""The pieces of class-conditional GANs: conditional batch norm for generators, the class embedding of the
projection discriminator (Miyato & Koyama 2018, "cGANs with Projection Discriminator", eq. 3:
`D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩`), and how a family's networks pass the class along.

As in SNGAN's projection code (github.com/pfnet-research/sngan_projection, `source/links/
categorical_conditional_batch_normalization.py`; `dis_models/snresnet_32.py`, `L.EmbedID` spectrally normalized)
and mimicry's cGAN-PD (`torch_mimicry/modules/layers.py` `ConditionalBatchNorm2d`, `SNEmbedding`)."""

from __future__ import annotations

from collections.abc import Iterable

from torch import Tensor, nn

from ganlip.layers import ClassEmbedding


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm without its own affine, then a gain and a bias chosen by the class: `γ_y BN(x) + β_y`. Gains start
    at 1 and biases at 0 (SNGAN's `initial_gamma`, `initial_beta`), so that at initialisation it is plain batch
    norm for every class."""

    def __init__(self, features: int, classes: int):
        super().__init__()
        self.features = features
        self.norm = nn.BatchNorm2d(features, affine=False)
        self.gains = nn.Embedding(classes, features)
        self.biases = nn.Embedding(classes, features)
        nn.init.ones_(self.gains.weight)
        nn.init.zeros_(self.biases.weight)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        shape = (-1, self.features, 1, 1)  # not len(x), which would fix a torch.export program's batch size
        return self.gains(labels).view(shape) * self.norm(x) + self.biases(labels).view(shape)


def projection(embedding: ClassEmbedding | None, features: Tensor, labels: Tensor | None) -> Tensor | None:
    """`⟨embed(y), φ(x)⟩` per sample for a conditional critic (`embedding` set), None for an unconditional one."""
    if embedding is None:
        return None
    if labels is None:
        raise ValueError("a conditional critic needs the classes y: call critic(x, y)")
    return (embedding(labels).to(features.dtype) * features.flatten(1)).sum(dim=1)


def projected(net: nn.Sequential, embedding: ClassEmbedding | None, x: Tensor, labels: Tensor | None) -> Tensor:
    """One score per sample of a critic whose last layer reads `φ(x) = net[:-1](x)`, plus the projection
    `⟨embed(y), φ(x)⟩` when it is conditional (`embedding` set)."""
    if embedding is None:
        return net(x).flatten()
    features = net[:-1](x)
    return net[-1](features).flatten() + projection(embedding, features, labels)


def generator_labels(labels: Tensor | None, classes: int | None, latents: Tensor) -> Tensor | None:
    """The classes a conditional generator draws for (those asked for), or None for an unconditional one. (The
    latents' batch size is read only then: reading it would fix a torch.export program's batch size.)"""
    if classes is None:
        return None
    if labels is None:
        raise ValueError("a conditional generator needs the classes y: call generator(z, y)")
    if labels.dim() != 1 or labels.shape[0] != latents.shape[0]:
        raise ValueError(f"expected one class per latent, shaped ({latents.shape[0]},), got {tuple(labels.shape)}")
    return labels


def run_layers(layers: Iterable[nn.Module], h: Tensor, labels: Tensor | None) -> Tensor:
    """`layers` in turn, passing the classes to the conditional batch norms among them."""
    for layer in layers:
        h = layer(h, labels) if isinstance(layer, ConditionalBatchNorm2d) else layer(h)
    return h


def batch_norm(features: int, classes: int | None) -> nn.Module:
    """Batch norm, class-conditional when `classes` is set."""
    return ConditionalBatchNorm2d(features, classes) if classes else nn.BatchNorm2d(features)
