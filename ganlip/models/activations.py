"""Activations for critics: ReLU and LeakyReLU, whose input gradient a gradient penalty differentiates again, and
GroupSort, which keeps gradient norms (`critic_activation=groupsort`).

PyTorch's own differentiate their backward with respect to the input as well, to zeros (the second
derivative of a piecewise-linear function is zero almost everywhere), so the double backward of a penalty
carries those zeros back through the whole forward pass: a convolution backward per layer, computed on
zeros (a sixth of a gradient-penalty critic step on the 32-px DCGAN). Here the backward reads the slope
pattern from a detached copy of the output and passes no gradient on when none comes in, so the double
backward stops there. Values and gradients of every order equal torch's (at 0 the slope is the negative
side's, as in torch).

The contract this buys the speed with: a penalty on the input gradient does not reach the parameters that only
move the slope pattern (the hidden biases), whose gradient from it is zero anyway. `loss.backward()` is
unaffected (the Wasserstein term reaches every bias); a caller of `torch.autograd.grad(penalty, parameters)`
passes `materialize_grads=True` (or `allow_unused=True`) to get the zeros torch's activations would give.
`tests/models/test_activations.py` checks both sides of this."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlip.errors import GanlipError


class _PiecewiseLinear(torch.autograd.Function):
    generate_vmap_rule = True  # torch.func (per-sample gradients) batches it like any pointwise op

    @staticmethod
    def forward(x: Tensor, slope: float) -> Tensor:
        return F.leaky_relu(x, slope) if slope else F.relu(x)

    @staticmethod
    def setup_context(ctx, inputs: tuple[Tensor, float], output: Tensor) -> None:
        ctx.slope = inputs[1]
        ctx.save_for_backward(output)  # its signs are the input's: what torch's backward reads, minus the graph
        ctx.set_materialize_grads(False)  # no gradient in, none out: not a tensor of zeros to carry back

    @staticmethod
    def backward(ctx, grad: Tensor | None) -> tuple[Tensor | None, None]:
        if grad is None:
            return None, None
        (out,) = ctx.saved_tensors
        out = out.detach()  # a constant to the double backward, which therefore stops here
        if ctx.slope:
            return torch.ops.aten.leaky_relu_backward(grad, out, ctx.slope, True), None
        return torch.ops.aten.threshold_backward(grad, out, 0), None


def leaky_relu(x: Tensor, slope: float = 0.01) -> Tensor:
    return _PiecewiseLinear.apply(x, slope)


def relu(x: Tensor) -> Tensor:
    return _PiecewiseLinear.apply(x, 0.0)


class LeakyReLU(nn.Module):
    def __init__(self, slope: float = 0.01):
        super().__init__()
        self.slope = slope

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.slope)

    def extra_repr(self) -> str:
        return f"slope={self.slope}"


class ReLU(LeakyReLU):
    def __init__(self):
        super().__init__(0.0)


class GroupSort(nn.Module):
    """GroupSort with groups of 2, MaxMin (Anil, Lucas & Grosse 2019): each pair of units along dim 1 becomes
    (max, min). On every region it permutes its input, so it keeps the norm of a gradient passing back through
    it, where ReLU zeroes part of it: with orthonormal layers the critic's gradient norm stays 1."""

    def forward(self, x: Tensor) -> Tensor:
        first, second = x.unflatten(1, (x.shape[1] // 2, 2)).unbind(2)
        return torch.stack([torch.maximum(first, second), torch.minimum(first, second)], dim=2).flatten(1, 2)


def critic_activation(name: str, own: str, make_own: Callable[[], nn.Module], width: int) -> Callable[[], nn.Module]:
    """How a critic that uses `own` (built by `make_own`) makes its activations when the config asks for `name`:
    its own, or GroupSort, which pairs units and so needs an even `width`."""
    if name == own:
        return make_own
    if name != "groupsort":
        raise GanlipError(f"critic_activation must be {own} (this critic's own) or groupsort, got '{name}'.")
    if width % 2:
        raise GanlipError(f"critic_activation=groupsort pairs units, and width {width} is odd; set an even width.")
    return GroupSort
