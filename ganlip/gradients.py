"""Gradients of a critic's score, with respect to its input or its parameters, shared by the penalties and the
training diagnostics."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.distributed import global_size, share
from ganlip.errors import GanlipError
from ganlip.layers import at_least_float32, evaluation, parametrizations_uncached


def scores(output: Tensor, batch: int) -> Tensor:
    """A critic's output as one score per sample, `(batch,)`: a `(batch, 1)` head (the usual `nn.Linear(n, 1)`)
    is squeezed; any other shape is refused, since a loss or a gradient of it would mix samples silently."""
    if output.dim() == 2 and output.shape[1] == 1:
        output = output.squeeze(1)
    if output.shape != (batch,):
        raise GanlipError(
            f"the critic returned scores of shape {tuple(output.shape)} for a batch of {batch}; it must return one "
            f"score per sample, shaped (batch,) or (batch, 1)."
        )
    return output


def input_gradients(critic: nn.Module, x: Tensor, create_graph: bool = False) -> Tensor:
    """Per-sample `∇_x D(x)`, shaped like `x`. With `create_graph=True` it is differentiable (for penalties)."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        (gradient,) = torch.autograd.grad(scores(critic(x), len(x)).sum(), x, create_graph=create_graph)
    return gradient


def input_gradient_norms(critic: nn.Module, x: Tensor, create_graph: bool = False) -> Tensor:
    """Per-sample `‖∇_x D(x)‖₂`. With `create_graph=True` the result is differentiable (for penalties)."""
    gradient = input_gradients(critic, x, create_graph)
    return at_least_float32(gradient.flatten(1)).norm(dim=1)  # float32 under autocast too (AMP's recipe)


# Where a penalty on the critic's gradient is evaluated (a strategy's `at` parameter).
PENALTY_POINTS = ("interp", "real", "fake", "both")


def penalty_points(at: str, real: Tensor, fake: Tensor) -> Tensor:
    """The points `at` names: real/fake interpolates, the real or the fake batch, or both batches."""
    if at == "interp":
        return interpolate(real, fake)
    if at == "both":
        return torch.cat([real, fake])
    return real if at == "real" else fake


def interpolate(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """`eps * real + (1 - eps) * fake` with one `eps ~ U[0, 1]` per sample (WGAN-GP, Gulrajani et al. 2017)."""
    shape = (global_size(real.shape[0]),) + (1,) * (real.dim() - 1)
    eps = share(torch.rand(shape, device=real.device, dtype=real.dtype, generator=generator))
    return torch.lerp(fake.detach(), real.detach(), eps)


def per_sample_parameter_gradients(critic: nn.Module, x: Tensor) -> list[Tensor]:
    """`∇_θ D(x_i)` for every sample, one tensor `(batch, *θ.shape)` per trainable parameter, differentiable in θ
    (for penalties). `torch.func.vmap` runs one batched backward instead of a backward per sample.

    The critic runs in eval mode (sn's power iteration has already advanced this step) and with parametrizations
    recomputed: `functional_call` swaps the raw parameters in, which a cached weight would silently ignore."""
    module = unwrapped(critic)
    parameters = {name: p for name, p in module.named_parameters() if p.requires_grad}
    buffers = dict(module.named_buffers())

    def score(params: dict[str, Tensor], sample: Tensor) -> Tensor:
        return torch.func.functional_call(module, (params, buffers), (sample.unsqueeze(0),)).sum()

    with evaluation(module), parametrizations_uncached(), torch.enable_grad():
        gradients = torch.func.vmap(torch.func.grad(score), in_dims=(None, 0))(parameters, x)
    return list(gradients.values())


def unwrapped(module: nn.Module) -> nn.Module:
    """The module inside DDP and torch.compile wrappers."""
    while True:
        inner = getattr(module, "module", None) or getattr(module, "_orig_mod", None)
        if not isinstance(inner, nn.Module):
            return module
        module = inner
