"""Spectral norms of a critic's layers."""

from __future__ import annotations

import torch
from torch import nn

LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


@torch.no_grad()
def matrix_spectral_norms(critic: nn.Module) -> dict[str, float]:
    """For each Linear/Conv layer, the exact largest singular value (SVD) of its effective weight reshaped
    to `(out, in * kernel)`: the quantity spectral normalization controls. Keys are the layers' names."""
    was_training = critic.training
    critic.eval()  # reading a parametrized weight in training mode would advance spectral norm's power iteration
    norms = {}
    for name, layer in critic.named_modules():
        if isinstance(layer, LAYERS):
            matrix = layer.weight.detach().flatten(1).float()
            norms[name] = torch.linalg.matrix_norm(matrix, ord=2).item()
    critic.train(was_training)
    return norms
