"""Sliced Wasserstein distance, on Laplacian-pyramid patches for images (Karras et al. 2018, Progressive GAN,
Sec. 5 and its reference code sliced_wasserstein.py: 7x7 patches, 128 per image, levels down to 16 px,
per-level descriptor normalization, 4 x 128 random directions)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

PATCH = 7
PATCHES_PER_IMAGE = 128
SMALLEST_LEVEL = 16


def sliced_wasserstein(a: Tensor, b: Tensor, n_projections: int = 512, seed: int = 0) -> float:
    """SWD between sample sets. Vectors `(N, D)`: the mean over random unit directions of the 1-D W1 of the
    projections. Images `(N, C, H, W)`: the mean over Laplacian-pyramid levels of that distance between 7x7
    patch descriptors (see `laplacian_swd`)."""
    if a.dim() == 4:
        levels = laplacian_swd(a, b, n_projections, seed)
        return sum(levels.values()) / len(levels)
    return _sliced(a.reshape(len(a), -1), b.reshape(len(b), -1), n_projections, torch.Generator().manual_seed(seed))


def laplacian_swd(a: Tensor, b: Tensor, n_projections: int = 512, seed: int = 0) -> dict[int, float]:
    """Per pyramid level (keyed by its resolution), the SWD between normalized patch descriptors of `a` and `b`."""
    generator = torch.Generator().manual_seed(seed)
    pyramid_a, pyramid_b = laplacian_pyramid(a.detach().float().cpu()), laplacian_pyramid(b.detach().float().cpu())
    distances = {}
    for level_a, level_b in zip(pyramid_a, pyramid_b, strict=True):
        # the same patch positions in both sets (common random numbers): identical sets give exactly 0
        positions = _patch_positions(max(len(level_a), len(level_b)), level_a.shape[-2:], generator)
        descriptors_a = _normalize(_patches(level_a, positions))
        descriptors_b = _normalize(_patches(level_b, positions))
        distances[level_a.shape[-1]] = _sliced(descriptors_a, descriptors_b, n_projections, generator)
    return distances


def _sliced(a: Tensor, b: Tensor, n_projections: int, generator: torch.Generator) -> float:
    directions = F.normalize(torch.randn(a.shape[1], n_projections, generator=generator, dtype=a.dtype), dim=0)
    # one row per direction: sorting along the last, contiguous dimension is about twice as fast
    projected_a = (directions.T @ a.T).sort(dim=1).values
    projected_b = (directions.T @ b.T).sort(dim=1).values
    if len(a) != len(b):  # compare quantiles when the sets differ in size
        quantiles = torch.linspace(0, 1, min(len(a), len(b)), dtype=a.dtype)
        projected_a, projected_b = (torch.quantile(p, quantiles, dim=1) for p in (projected_a, projected_b))
    return (projected_a - projected_b).abs().mean().item()


def _gaussian_kernel(channels: int) -> Tensor:
    taps = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
    kernel = torch.outer(taps, taps) / 256
    return kernel.expand(channels, 1, 5, 5)


def _blur(images: Tensor, kernel: Tensor) -> Tensor:
    return F.conv2d(F.pad(images, (2, 2, 2, 2), mode="reflect"), kernel, groups=images.shape[1])


def laplacian_pyramid(images: Tensor) -> list[Tensor]:
    """Band-pass levels from full resolution down to 16 px (or the image size, if smaller), then the residual."""
    kernel = _gaussian_kernel(images.shape[1])
    levels = []
    current = images
    while current.shape[-1] > SMALLEST_LEVEL and current.shape[-1] % 2 == 0:
        smaller = _blur(current, kernel)[..., ::2, ::2]
        upsampled = torch.zeros_like(current)
        upsampled[..., ::2, ::2] = smaller
        levels.append(current - _blur(upsampled, kernel * 4))
        current = smaller
    levels.append(current)
    return levels


def _patch_positions(n: int, size: torch.Size, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    height, width = size
    if min(height, width) < PATCH:
        raise ValueError(f"images of {height}x{width} px are smaller than the {PATCH}x{PATCH} SWD patch")
    rows = torch.randint(height - PATCH + 1, (n, PATCHES_PER_IMAGE), generator=generator)
    cols = torch.randint(width - PATCH + 1, (n, PATCHES_PER_IMAGE), generator=generator)
    return rows, cols


def _patches(images: Tensor, positions: tuple[Tensor, Tensor]) -> Tensor:
    """`PATCHES_PER_IMAGE` 7x7 patches of each image, flattened to descriptors `(n * k, 49 * C)`."""
    rows, cols = (p[: len(images)] for p in positions)
    offsets = torch.arange(PATCH)
    row_index = (rows[..., None, None] + offsets[:, None]).expand(-1, -1, PATCH, PATCH)
    col_index = (cols[..., None, None] + offsets[None, :]).expand(-1, -1, PATCH, PATCH)
    batch_index = torch.arange(len(images))[:, None, None, None].expand_as(row_index)
    patches = images.permute(0, 2, 3, 1)[batch_index, row_index, col_index]  # (n, k, 7, 7, C)
    return patches.reshape(len(images) * PATCHES_PER_IMAGE, -1)


def _normalize(descriptors: Tensor) -> Tensor:
    """Zero mean and unit standard deviation per channel over all descriptors of the set."""
    shaped = descriptors.reshape(len(descriptors), PATCH * PATCH, -1)
    mean = shaped.mean(dim=(0, 1), keepdim=True)
    std = shaped.std(dim=(0, 1), keepdim=True).clamp_min(1e-8)
    return ((shaped - mean) / std).reshape(len(descriptors), -1)
