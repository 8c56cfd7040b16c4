"""Spectral normalization (Miyato et al. 2018, SNGAN), of the weight matrix or of the convolution itself."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.constraints.base import (
    Constraint,
    OptimizerRecipe,
    Trait,
    register,
    reparametrize,
    require,
    require_zero_padding,
)
from ganlip.layers import (
    CONV_LAYERS,
    WARMUP_ITERATIONS,
    SpectralParametrization,
    adopt_saved_shape,
    conv,
    conv_arguments,
    power_iteration,
    power_step,
    received_weight,
    weight_matrix,
)

MODES = ("matrix", "operator")


def divided(weight: Tensor, sigma: Tensor, sigma_grad: bool) -> Tensor:
    """`W / σ`, with σ a constant of the backward pass when `sigma_grad` is false."""
    return weight / (sigma if sigma_grad else sigma.detach())


class SpectralNormalization(SpectralParametrization):
    """A parametrization: `W ↦ W / σ(W)`, `σ` estimated by power iteration on the matrix `(out, in * kernel)`
    with a persistent `u` (SNGAN Algorithm 1). Gradients flow through `σ` unless `sigma_grad` is false. `u` and
    `v` advance `n_iter` steps each time the weight is computed in training mode; the trainer computes it once
    per critic step."""

    def __init__(self, weight: Tensor, n_iter: int = 1, eps: float = 1e-12, sigma_grad: bool = True):
        super().__init__()
        self.n_iter = n_iter
        self.eps = eps
        self.sigma_grad = sigma_grad
        matrix = weight_matrix(weight.detach())
        self.register_buffer("u", F.normalize(torch.randn_like(matrix[:, 0]), dim=0, eps=eps))
        self.register_buffer("v", F.normalize(torch.randn_like(matrix[0]), dim=0, eps=eps))
        self.power_iteration(matrix, WARMUP_ITERATIONS)

    def power_iteration(self, matrix: Tensor, n_iter: int) -> None:
        power_iteration(matrix, self.u, self.v, n_iter, self.eps)

    def sigma(self, weight: Tensor) -> Tensor:
        """`u^T W v`, differentiable in `W`; `u` and `v` are constants (cloned: the buffers change in place)."""
        return torch.dot(self.u.clone(), weight_matrix(weight).to(self.u.dtype) @ self.v.clone())

    def forward(self, weight: Tensor) -> Tensor:
        with torch.autocast(weight.device.type, enabled=False):  # σ in the weight's precision, under AMP too
            if self.training:
                self.power_iteration(weight_matrix(weight.detach()), self.n_iter)
            return divided(weight, self.sigma(weight), self.sigma_grad)


class ConvOperatorNormalization(SpectralParametrization):
    """A parametrization for a convolution: `W ↦ W / ‖conv_W‖`, its norm as a linear map on the layer's input
    shape, by power iteration with the convolution and its transpose and a persistent input-shaped
    `u`. The shape is learnt from the layer's first call (a forward pre-hook), so `u` starts empty."""

    def __init__(self, layer: nn.Module, n_iter: int = 1, eps: float = 1e-12, sigma_grad: bool = True):
        super().__init__()
        self.n_iter = n_iter
        self.eps = eps
        self.sigma_grad = sigma_grad
        self.arguments = conv_arguments(layer)
        self.register_buffer("u", torch.empty(0, device=layer.weight.device, dtype=layer.weight.dtype))

    def watch(self, layer: nn.Module, inputs: tuple[Tensor, ...]) -> None:
        """Forward pre-hook: (re)start `u` when the layer sees a new input shape."""
        shape = (1, *inputs[0].shape[1:])
        if tuple(self.u.shape) != shape:
            weight = received_weight(layer, self)  # under ws+sn the standardized weight, not the raw one
            self.u = F.normalize(torch.randn(shape, device=weight.device, dtype=weight.dtype).flatten(), dim=0)
            self.u = self.u.view(shape)
            self.power_iteration(weight, WARMUP_ITERATIONS)

    @torch.no_grad()
    def power_iteration(self, weight: Tensor, n_iter: int) -> None:
        for _ in range(n_iter):
            self.u.copy_(power_step(self.u, weight, self.arguments))

    def sigma(self, weight: Tensor) -> Tensor:
        return conv(self.u.clone(), weight, self.arguments).norm()

    def forward(self, weight: Tensor) -> Tensor:
        if self.u.numel() == 0:
            return weight  # before the first call (state_dict(), printing): nothing to normalize by yet
        with torch.autocast(weight.device.type, enabled=False):
            if self.training:
                self.power_iteration(weight.detach(), self.n_iter)
            return divided(weight, self.sigma(weight).clamp_min(self.eps), self.sigma_grad)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        adopt_saved_shape(self, state_dict, prefix, "u")
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


@register("sn")
class SpectralNorm(Constraint):
    """Use `W / σ(W)` in every critic layer (SNGAN eq. 8). `mode=matrix` (SNGAN's): σ of the weight reshaped to
    `(out, in * kernel)`, which for a convolution is not its norm as an operator (a 4x4 stride-2 conv so
    normalized can stretch by about 2). `mode=operator`: σ of the convolution itself on the layer's input shape,
    so every layer is truly 1-Lipschitz (linear layers are the same in both modes).

    Parameters: `n_iter` power iterations per critic step (1), `eps` (1e-12), `mode` (matrix | operator),
    `sigma_grad` (true): `sigma_grad=false` divides by σ as a constant, no gradient through it, as the
    Wasserstein-1 benchmark's SN-GAN code does (Korotin et al. 2022, `src/models.py` lines 87-89).
    Touches the weight of every Linear and Conv layer of the critic.
    Paper recipe: Adam, lr 2e-4, betas (0, 0.9), 5 critic steps per generator step, batch 64 (SNGAN's code,
    github.com/pfnet-research/sngan_projection at e84b1a5, `configs/sn_cifar10_unconditional.yml` lines 2,
    36-38 and 44). SNGAN has no 2-D toy experiment; on toys the same optimizer is used.
    """

    n_iter: int = 1
    eps: float = 1e-12
    mode: str = "matrix"
    sigma_grad: bool = True
    kind = "reparametrization"
    cost = "n_iter matrix-vector products per layer (operator mode: n_iter convolutions and their transposes)"
    traits = frozenset({Trait.NORMALIZES})
    recipe = OptimizerRecipe("adam", 2e-4, (0.0, 0.9), source="sngan_projection sn_cifar10_unconditional.yml l. 36-38")
    stack_order = 1

    def __post_init__(self) -> None:
        require(self.n_iter >= 1, f"sn: n_iter must be at least 1, got {self.n_iter}; SNGAN uses 1.")
        require(self.eps > 0, f"sn: eps must be positive, got {self.eps}.")
        require(self.mode in MODES, f"sn: mode must be matrix or operator, got '{self.mode}'.")

    def attach(self, critic: nn.Module) -> nn.Module:
        return reparametrize(critic, self.normalization)

    def normalization(self, layer: nn.Module) -> nn.Module:
        if self.mode == "operator" and isinstance(layer, CONV_LAYERS):
            require_zero_padding("sn:mode=operator", layer)
            normalization = ConvOperatorNormalization(layer, self.n_iter, self.eps, self.sigma_grad)
            layer.register_forward_pre_hook(normalization.watch)  # learns the input shape at the first call
            return normalization
        return SpectralNormalization(layer.weight, self.n_iter, self.eps, self.sigma_grad)
