"""Self-orthogonality regularization from each layer's own batch outputs."""

from __future__ import annotations

from dataclasses import field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.constraints.base import Penalty, Trait, register, require
from ganlip.layers import weighted_layers


def sign_agreement(outputs: Tensor, gamma: float) -> Tensor:
    """`Theta = Zᵀ Z` with `Z = tanh(gamma * Y)` column-normalized over the batch, for a layer's pre-activation
    outputs `Y` (batch x units; a convolution's positions count as samples). `Theta_ij` estimates
    `E[sgn(x·w_i) sgn(x·w_j)] = 1 - 2 theta_ij / pi` (docs/strategies.md)."""
    if outputs.dim() > 2:
        outputs = outputs.movedim(1, -1).reshape(-1, outputs.shape[1])
    signs = F.normalize(torch.tanh(gamma * outputs), dim=0, eps=1e-12)
    return signs.T @ signs


@register("som")
class SelfOrthogonality(Penalty):
    """`sum_l lambda1 (sum_{i≠j} Theta_ij)² + lambda2 sum_{i≠j} Theta_ij²` with `Theta` from each layer's
    outputs on the current real and fake batch (`sign_agreement`), collected by forward hooks during one extra
    critic forward. The first term asks the mean agreement to be zero, the second each pair.

    Parameters: `lambda1` (100), `lambda2` (1), `gamma` (10, the tanh's sharpness). Reads every Linear and
    Conv layer's outputs except the last (a single unit has no pairs).
    """

    lambda1: float = 100.0
    lambda2: float = 1.0
    gamma: float = 10.0
    _outputs: dict[str, Tensor] = field(default_factory=dict, init=False, repr=False, compare=False)
    _recording: bool = field(default=False, init=False, repr=False, compare=False)
    cost = "one extra critic forward and a units x units product per layer"
    traits = frozenset({Trait.BATCH_COUPLED})

    def __post_init__(self) -> None:
        require(self.lambda1 >= 0 and self.lambda2 >= 0, "som: lambda1 and lambda2 must be 0 or more.")
        require(self.gamma > 0, f"som: gamma must be positive, got {self.gamma}.")

    def conditional_refusal(self) -> str | None:
        return (
            "som reads the outputs of every layer as unit activations on data, and a conditional critic's class "
            "embedding is fed classes, not data; use ortho or sn on a conditional critic."
        )

    def attach(self, critic: nn.Module) -> nn.Module:
        for name, layer in weighted_layers(critic):
            layer.register_forward_hook(self._recorder(name))
        return critic

    def _recorder(self, name: str):
        def record(module: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
            if self._recording:
                self._outputs[name] = output

        return record

    def thetas(self, critic: nn.Module, x: Tensor) -> dict[str, Tensor]:
        """`Theta` of every layer with more than one unit, for inputs `x`."""
        self._recording, self._outputs = True, {}
        try:
            critic(x)
        finally:
            self._recording = False
        outputs, self._outputs = self._outputs, {}
        return {name: sign_agreement(y, self.gamma) for name, y in outputs.items() if y.shape[1] > 1}

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        total = real.new_zeros(())
        for theta in self.thetas(critic, torch.cat([real, fake.detach()])).values():
            off_diagonal = theta - torch.diag(torch.diagonal(theta))
            total = total + self.lambda1 * off_diagonal.sum().square() + self.lambda2 * off_diagonal.square().sum()
        return total
