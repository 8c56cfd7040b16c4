"""Spectral norms of a critic's layers, and the bounds they give on its Lipschitz constant."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from ganlip.gradients import input_gradient_norms, interpolate
from ganlip.layers import (
    CONV_LAYERS,
    SpectralParametrization,
    conv,
    conv_arguments,
    evaluation,
    orthonormality_residual,
    power_step,
    received_weight,
    weight_chain,
    weight_matrix,
    weighted_layers,
)


@dataclass
class LayerSpectrum:
    """One critic layer. `matrix_norm`: the exact largest singular value of the effective weight reshaped to
    `(out, in * kernel)`, what spectral normalization controls. `power_estimate`: that of the weight spectral
    normalization divides (the raw one, or under `ws+sn` the standardized one) as its power iteration holds it
    (`uᵀWv`; None without `sn`). `operator_norm`: the norm of the layer as a linear map on its actual input
    shape (for a convolution this depends on stride, padding and input size, and is not `matrix_norm`).
    `orthonormality`: for a layer whose parametrization promises orthonormal rows or columns (`bjorck`), how far
    its output is from them, `max |AᵀA − I|` over the smaller Gram matrix (None for other layers)."""

    name: str
    kind: str
    input_shape: tuple[int, ...]
    matrix_norm: float
    power_estimate: float | None
    operator_norm: float
    orthonormality: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@torch.no_grad()
def spectra(
    critic: nn.Module, input_shape: tuple[int, ...], n_iter: int = 100, labels: Tensor | None = None
) -> list[LayerSpectrum]:
    """One record per weighted layer (linear or convolution) of `critic` for inputs of shape `input_shape` (no
    batch dimension); a conditional critic is run with a class of `labels` to find its layers' input shapes, and
    its class embedding is one of the records."""
    parameter = next(critic.parameters())
    with evaluation(critic):
        example = torch.zeros(1, *input_shape, device=parameter.device, dtype=parameter.dtype)
        shapes = _input_shapes(critic, example, labels)
        records = []
        for name, layer in weighted_layers(critic):
            weight = layer.weight.detach()
            if isinstance(layer, CONV_LAYERS):
                operator = conv_operator_norm(layer, shapes[name], n_iter)
                kind = "conv"
            else:
                operator = _matrix_norm(weight)
                kind = "linear"
            records.append(
                LayerSpectrum(
                    name,
                    kind,
                    shapes[name],
                    _matrix_norm(weight),
                    _power_estimate(layer),
                    operator,
                    _orthonormality(layer),
                )
            )
    return records


def lipschitz_upper_bound(records: list[LayerSpectrum], critic: nn.Module) -> float:
    """`prod_l ‖layer_l‖` over operator norms: bounds Lip(D) above for activations of slope at most 1 and no
    skip connections (docs/strategies.md). NaN where a module of the critic declares `layer_bound_holds = False`
    (gradient normalization divides the layers' output by its own gradient, so their norms bound nothing).

    A projection critic `D(x, y) = (w + embed(y))·φ(x) + b` (one naming its output layer and class embedding in
    `projection_layers`) is bounded by `Lip(φ) max_y ‖w + embed(y)‖`: the head's norm for the worst class takes
    the place of the output layer's and the embedding's, which act side by side, not one after the other."""
    if not all(getattr(module, "layer_bound_holds", True) for module in critic.modules()):
        return math.nan
    head = getattr(critic, "projection_layers", None)
    if head is None:
        return math.prod(record.operator_norm for record in records)
    layers = dict(critic.named_modules())
    with evaluation(critic), torch.no_grad():  # reading a weight in training mode would advance sn's iteration
        output, embedding = (layers[name].weight.detach().double() for name in head)
    worst_class = (output.flatten()[:, None] + embedding).norm(dim=0).max().item()  # embedding: (dim, classes)
    return math.prod(record.operator_norm for record in records if record.name not in head) * worst_class


def gradient_norm_maxima(critic: nn.Module, real: Tensor, fake: Tensor, seed: int = 0) -> dict[str, float]:
    """The largest `‖∇_x D‖` on real, fake and interpolated samples; their maximum bounds Lip(D) below."""
    generator = torch.Generator(real.device).manual_seed(seed)
    with evaluation(critic):
        maxima = {
            "real": input_gradient_norms(critic, real).max().item(),
            "fake": input_gradient_norms(critic, fake).max().item(),
            "interp": input_gradient_norms(critic, interpolate(real, fake, generator)).max().item(),
        }
    return maxima


def conv_operator_norm(layer: nn.Module, input_shape: tuple[int, ...], n_iter: int = 100, tol: float = 1e-6) -> float:
    """Largest singular value of the convolution (no bias, with the layer's padding mode) as a linear map on
    `input_shape` `(C, *spatial)`: power iteration on `convᵀ(conv(x))`, stopped when σ changes by less than `tol`.
    Zero padding has a transposed convolution for `convᵀ`; other padding modes (reflect, replicate, circular)
    take it from autograd, the padding's own adjoint included."""
    weight = layer.weight.detach()
    if layer.padding_mode == "zeros":
        arguments = conv_arguments(layer)
        apply, step = (lambda x: conv(x, weight, arguments)), (lambda x: power_step(x, weight, arguments))
    else:
        apply = lambda x: layer._conv_forward(x, weight, None)  # noqa: E731
        step = lambda x: _autograd_power_step(apply, x)  # noqa: E731
    x = torch.randn(
        1,
        *input_shape,
        device=weight.device,
        dtype=weight.dtype,
        generator=torch.Generator(weight.device).manual_seed(0),
    )
    x = x / x.norm()
    sigma = 0.0
    for _ in range(n_iter):
        previous, sigma = sigma, apply(x).norm().item()
        if abs(sigma - previous) <= tol * sigma:
            break
        x = step(x)
    return sigma


def _autograd_power_step(apply, x: Tensor) -> Tensor:
    """`AᵀA x / ‖AᵀA x‖` for the linear map `apply`, its adjoint by a vector-Jacobian product."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        y = apply(x)
        (back,) = torch.autograd.grad(y, x, y.detach())
    return back / back.norm().clamp_min(1e-12)


def _matrix_norm(weight: Tensor) -> float:
    return torch.linalg.matrix_norm(weight.detach().flatten(1).double(), ord=2).item()


def _power_estimate(layer: nn.Module) -> float | None:
    for module in weight_chain(layer):
        if isinstance(module, SpectralParametrization):  # of the weight it receives (under ws+sn, standardized)
            return module.sigma(received_weight(layer, module)).item()
    return None


def _orthonormality(layer: nn.Module) -> float | None:
    for module in weight_chain(layer):
        if getattr(module, "orthonormalizes", False):
            return orthonormality_residual(weight_matrix(module(received_weight(layer, module))).double()).item()
    return None


def _input_shapes(critic: nn.Module, example: Tensor, labels: Tensor | None = None) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}

    def recorder(name: str):
        def record(module: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
            shapes.setdefault(name, tuple(inputs[0].shape[1:]))

        return record

    hooks = [layer.register_forward_hook(recorder(name)) for name, layer in weighted_layers(critic)]
    try:
        critic(example) if labels is None else critic(example, labels[:1])
    finally:
        for hook in hooks:
            hook.remove()
    return shapes
