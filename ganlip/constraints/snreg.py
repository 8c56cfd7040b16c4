"""Spectral norm regularization (Yoshida & Miyato 2017)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.constraints.base import Penalty, register, require
from ganlip.gradients import at_least_float32
from ganlip.layers import WARMUP_ITERATIONS, power_iteration, weight_matrix, weighted_layers


@register("snreg")
class SpectralNormRegularization(Penalty):
    """`weight / 2 * sum_l σ(W_l)²` added to the critic loss, in place of an L2 penalty (Yoshida & Miyato
    2017, eq. 4). σ by power iteration with persistent `u`, `v` kept as buffers of each layer (so they are
    checkpointed), warmed up when attached as `sn` is, then advanced `n_iter` steps per critic step; the
    gradient of σ is `u vᵀ`.

    Parameters: `weight` (0.01), `n_iter` (1). Reads each Linear and Conv layer's effective weight.
    """

    weight: float = 0.01
    n_iter: int = 1
    cost = "n_iter matrix-vector products per layer"

    def __post_init__(self) -> None:
        require(self.weight >= 0, f"snreg: weight must be 0 or more, got {self.weight}.")
        require(self.n_iter >= 1, f"snreg: n_iter must be at least 1, got {self.n_iter}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        for _, layer in weighted_layers(critic):
            matrix = at_least_float32(weight_matrix(layer.weight.detach()))
            layer.register_buffer("snreg_u", F.normalize(torch.randn_like(matrix[:, 0]), dim=0))
            layer.register_buffer("snreg_v", F.normalize(torch.randn_like(matrix[0]), dim=0))
            power_iteration(matrix, layer.snreg_u, layer.snreg_v, WARMUP_ITERATIONS)  # as `sn` does
        return critic

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        with torch.autocast(real.device.type, enabled=False):  # σ in full precision, under AMP too
            return self._penalty(critic, real)

    def _penalty(self, critic: nn.Module, real: Tensor) -> Tensor:
        total = torch.zeros((), device=real.device)
        for _, layer in weighted_layers(critic):
            matrix = at_least_float32(weight_matrix(layer.weight))
            power_iteration(matrix.detach(), layer.snreg_u, layer.snreg_v, self.n_iter)
            sigma = torch.dot(layer.snreg_u.clone(), matrix @ layer.snreg_v.clone())
            total = total + sigma.square()
        return self.weight / 2 * total
