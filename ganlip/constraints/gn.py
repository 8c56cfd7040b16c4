"""Gradient normalization (Wu, Shuai, Tam & Chiu 2021, "Gradient Normalization for Generative Adversarial
Networks", ICCV)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip import reporting
from ganlip.constraints.base import Constraint, OptimizerRecipe, Trait, register, require
from ganlip.gradients import at_least_float32, scores


class GradientNormalized(nn.Module):
    """The critic `f` it wraps, normalized: `f̂(x) = f(x) / (‖∇_x f(x)‖ + |f(x)|)`. On each region where a
    piecewise-linear `f` is linear, `f̂` is 1-Lipschitz (the paper's Theorem 1), and `|f̂| ≤ 1` everywhere. The
    input gradient is taken in the forward pass, with a graph whenever the caller records one, so training
    differentiates through it (a double backward)."""

    layer_bound_holds = False  # the product of the layers' norms bounds f, not f̂

    def __init__(self, critic: nn.Module, eps: float = 1e-12):
        super().__init__()
        self.critic = critic
        self.eps = eps

    def forward(self, x: Tensor, *condition: Tensor) -> Tensor:
        """`condition`: a conditional critic's classes, at which the gradient with respect to `x` is taken."""
        recording = torch.is_grad_enabled()
        inputs = x if x.requires_grad else x.detach().requires_grad_(True)
        with torch.enable_grad():
            output = self.critic(inputs, *condition)
            f = scores(output, len(inputs))  # one per sample: a (B, 1) head must not broadcast against (B,) norms
            (gradient,) = torch.autograd.grad(f.sum(), inputs, create_graph=recording)
        f = at_least_float32(f)  # the norm and the quotient in float32 under autocast too
        gradient_norms = at_least_float32(gradient).flatten(1).norm(dim=1)
        reporting.report("gn/gradient_norm", gradient_norms)  # of the critic it wraps, before normalizing
        normalized = f / (gradient_norms + f.abs() + self.eps)
        return normalized.view(output.shape)


@register("gn")
class GradientNormalization(Constraint):
    """Replace the critic `f` by `f / (‖∇_x f‖ + |f|)`, 1-Lipschitz piecewise by construction and bounded in
    [-1, 1], without touching a weight. Its forward pass computes the input gradient, so a critic step
    differentiates through a gradient (as `gp` does) and `compile=true` leaves the critic eager. It wraps the
    whole critic, after any weight reparametrization it is composed with.

    Parameters: `eps` (1e-12, against 0/0 where `f` and its gradient vanish; the authors' code has none).
    Recipe, from the authors' code (github.com/basiclab/GNGAN-PyTorch at 77511c8): Adam 2e-4 for both networks
    (`config/GN-GAN_CIFAR10_CNN.txt`), betas (0, 0.9) (`train.py`'s default). That config trains the
    non-saturating loss (`--loss=bce`) with one critic step per generator step (`--n_dis=1`); its ResNet config
    the hinge loss (`--set loss=hinge` here) with 5 critic steps and a critic lr of 4e-4. ganlip keeps WGAN's loss
    and `n_critic` for `gn` unless the config sets them (`--set loss=ns --set n_critic=1` is that config's).
    """

    eps: float = 1e-12
    kind = "reparametrization"
    cost = "an input-gradient backward in every critic forward pass, differentiated again in training"
    traits = frozenset({Trait.DOUBLE_BACKWARD, Trait.GRADIENT_IN_FORWARD})
    recipe = OptimizerRecipe("adam", 2e-4, (0.0, 0.9), source="GNGAN-PyTorch config/GN-GAN_CIFAR10_CNN.txt, train.py")
    stack_order = 10

    def __post_init__(self) -> None:
        require(self.eps >= 0, f"gn: eps must be 0 or more, got {self.eps}.")

    def attach(self, critic: nn.Module) -> nn.Module:
        return GradientNormalized(critic, self.eps)
