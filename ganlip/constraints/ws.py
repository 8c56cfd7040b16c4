"""Weight standardization (Qiao et al. 2019)."""

from __future__ import annotations

from torch import Tensor, nn

from ganlip.constraints.base import Constraint, register, reparametrize, require
from ganlip.layers import ClassEmbedding


class WeightStandardization(nn.Module):
    """A parametrization: each output filter `W_o ↦ (W_o - mean(W_o)) / (std(W_o) + eps)`, mean and (population)
    standard deviation over its `(in, kh, kw)` entries."""

    def __init__(self, eps: float = 1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, weight: Tensor) -> Tensor:
        dims = tuple(range(1, weight.dim()))
        centred = weight - weight.mean(dim=dims, keepdim=True)
        return centred / (centred.std(dim=dims, keepdim=True, unbiased=False) + self.eps)


@register("ws")
class WeightStandardize(Constraint):
    """Standardize every output filter of each Linear and Conv weight to mean 0 and standard deviation 1 before
    use. It smooths the loss landscape rather than bounding Lip(D); compose it with a normalization
    (`ws+sn`: standardization applies first, then the normalization).

    Parameters: `eps` (1e-5). Touches the weight of every Linear and Conv layer of the critic except layers
    with a single input per filter (their standardized weight would be all zeros) and a conditional critic's
    class embedding.
    """

    eps: float = 1e-5
    kind = "reparametrization"
    cost = "a mean and a standard deviation per filter"
    stack_order = 0

    def __post_init__(self) -> None:
        require(self.eps > 0, f"ws: eps must be positive, got {self.eps}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        # a filter with a single entry would standardize to all zeros, and a class embedding's "filters" are
        # its dimensions across the classes (standardizing them would force the classes' vectors to sum to zero):
        # such layers are left as they are
        return reparametrize(
            critic,
            lambda layer: (
                WeightStandardization(self.eps)
                if layer.weight[0].numel() > 1 and not isinstance(layer, ClassEmbedding)
                else None
            ),
        )
