"""The SNGAN ResNets (Miyato et al. 2018, Appendix B), at the widths of mimicry's reference implementation
(torch_mimicry/nets/sngan/sngan_{32,48,64,128}.py):

| px  | generator (ngf, bottom)                   | critic (ndf)                                  |
| 32  | 256, 4x4: 256-256-256-256                 | 128: first 128, down 128, 128, 128            |
| 48  | 512, 6x6: 512-256-128-64                  | 1024: first 64, down 128, 256, 512, plain 1024 |
| 64  | 1024, 4x4: 1024-512-256-128-64            | 1024: first 64, down 128, 256, 512, 1024      |
| 128 | 1024, 4x4: 1024-1024-512-256-128-64       | 1024: first 64, down 128, 256, 512, 1024, plain 1024 |

The critic ends with ReLU, global sum pooling and a Linear. `width` sets ngf; ndf keeps the paper's ratio.
Initialised as SNGAN's code (sngan_projection) does, which mimicry follows for the weights: the blocks as in
`resblocks`, the Linears and the generator's output convolution Glorot-uniform (dis_models/snresnet_32.py line
17, gen_models/resnet_32.py lines 17 and 22), biases zero (chainer's default; mimicry keeps torch's).

Class-conditional (`num_classes`): mimicry's cGAN-PD at the same widths (torch_mimicry/nets/cgan_pd/cgan_pd_32.py,
cgan_pd_128.py): the generator's blocks take conditional batch norms (the output batch norm stays plain), and the
critic adds the projection `⟨embed(y), h⟩` of its pooled features `h` to its Linear's output."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from ganlip.models.activations import relu
from ganlip.models.conditional import ClassEmbedding, projection
from ganlip.models.init import glorot_
from ganlip.models.registry import register_model
from ganlip.models.resblocks import CriticBlock, FirstCriticBlock, ResNetGenerator


@dataclass(frozen=True)
class Widths:
    """The SNGAN ResNet at one resolution. Generator: `ngf` channels on a `bottom`x`bottom` map, then one
    upsampling block per factor of `generator`. Critic: `ndf` scales the first block's factor `first`, then each
    of `critic` is (factor, downsamples)."""

    ngf: int
    bottom: int
    generator: tuple[float, ...]
    ndf: int
    first: float
    critic: tuple[tuple[float, bool], ...]


PAPER = {
    32: Widths(256, 4, (1, 1, 1, 1), 128, 1, ((1, True), (1, False), (1, False))),
    48: Widths(
        512, 6, (1, 1 / 2, 1 / 4, 1 / 8), 1024, 1 / 16, ((1 / 8, True), (1 / 4, True), (1 / 2, True), (1, False))
    ),
    64: Widths(
        1024,
        4,
        (1, 1 / 2, 1 / 4, 1 / 8, 1 / 16),
        1024,
        1 / 16,
        ((1 / 8, True), (1 / 4, True), (1 / 2, True), (1, True)),
    ),
    128: Widths(
        1024,
        4,
        (1, 1, 1 / 2, 1 / 4, 1 / 8, 1 / 16),
        1024,
        1 / 16,
        ((1 / 8, True), (1 / 4, True), (1 / 2, True), (1, True), (1, False)),
    ),
}


class SNGANCritic(nn.Module):
    def __init__(self, channels: int, first: int, blocks: list[tuple[int, bool]], classes: int | None = None):
        super().__init__()
        layers: list[nn.Module] = [FirstCriticBlock(channels, first)]
        width = first
        for out, downsample in blocks:
            layers.append(CriticBlock(width, out, downsample=downsample))
            width = out
        self.blocks = nn.Sequential(*layers)
        self.output = nn.Linear(width, 1)
        glorot_(self.output)
        self.embedding = ClassEmbedding(classes, width) if classes else None
        # the layers a Lipschitz bound reads as one head, side by side (metrics.spectra)
        self.projection_layers = ("output", "embedding") if classes else None

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        features = relu(self.blocks(x)).sum(dim=(2, 3))
        if self.embedding is None:
            return self.output(features).flatten()
        return self.output(features).flatten() + projection(self.embedding, features, y)


@register_model(
    "sngan", data_kind="images", resolutions=(32, 48, 64, 128), latent_dim=128, width=None, num_classes=None
)
def build_sngan(
    data_shape: tuple[int, ...], latent_dim: int, width: int | None, num_classes: int | None
) -> tuple[nn.Module, nn.Module]:
    channels, resolution, _ = data_shape
    paper = PAPER[resolution]
    scale = (width or paper.ngf) / paper.ngf

    def size(base: int, factor: float) -> int:
        return max(1, round(base * scale * factor))

    generator = ResNetGenerator(
        latent_dim, channels, [size(paper.ngf, f) for f in paper.generator], paper.bottom, classes=num_classes
    )
    critic = SNGANCritic(
        channels, size(paper.ndf, paper.first), [(size(paper.ndf, f), down) for f, down in paper.critic], num_classes
    )
    return generator, critic
