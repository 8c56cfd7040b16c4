"""The critic update as ganlip trains it: one function for `ganlip train` and the benchmark, and a small object
for a loop of your own, so that a strategy means the same thing everywhere (its penalties due at this critic
step, its reparametrized weights computed once per step, its projection after the optimizer step)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

from ganlip import reporting
from ganlip.conditioning import conditioned
from ganlip.constraints.base import Constraint, scores_and_penalty
from ganlip.losses import WassersteinLoss
from ganlip.metrics import keys


def update_critic(
    constraint: Constraint,
    critic: nn.Module,
    critic_train: nn.Module,
    loss: WassersteinLoss,
    optimizer: torch.optim.Optimizer,
    parameters: list[nn.Parameter],
    real: Tensor,
    fake: Tensor,
    critic_step_index: int,
    precision=None,
    labels: Tensor | None = None,
) -> dict[str, Tensor]:
    """One critic update: the loss on `real` and `fake` plus the strategy's penalties due at critic step
    `critic_step_index`, an optimizer step on `parameters`, then the strategy's projection. `critic_train` is
    what is called (the critic, or its DDP/compiled wrapper); `precision` an autocast context. `ganlip train`
    and the critic-only benchmark (`ganlip bench w1`) both update their critics here. A conditional critic gets
    `labels`, the classes of the real rows, for which the fake rows were generated (`Conditioned`)."""
    critic_train = conditioned(critic_train, labels)
    # Cached: a reparametrized weight (and spectral norm's power iteration) is computed once per step,
    # however many times the critic runs in it (real, fake, interpolates).
    with reporting.collect() as reported:
        with parametrize.cached(), precision or nullcontext():
            real_scores, fake_scores, penalty = (
                value.float() for value in scores_and_penalty(constraint, critic_train, real, fake, critic_step_index)
            )
            total = loss.critic(real_scores, fake_scores) + penalty
        optimizer.zero_grad(set_to_none=True)
        # Only the critic's weights need gradients: naming them prunes the rest of the graph (for a gradient
        # penalty, the input-gradient of the interpolates' leaf, a whole convolution backward).
        total.backward(inputs=parameters)
        optimizer.step()
        for part in constraint.parts:  # the projections due at this step, in the order named
            if part.projects_at(critic_step_index):
                part.after_step(critic)
    return {
        keys.CRITIC_LOSS: total.detach(),
        keys.PENALTY: penalty.detach(),
        keys.WASSERSTEIN: (real_scores.mean() - fake_scores.mean()).detach(),
        **reported,  # what the strategy reported of itself (reporting.report), under strategy/
    }


@dataclass
class CriticUpdate:
    """One critic update per call, exactly as `ganlip train` makes it, for your own loop:

        update = CriticUpdate(constraint, critic, optimizer)
        stats = update(real, fake)  # loss, penalties due at this step, optimizer step, projection

    It counts the critic steps itself (`critic_steps`), so that a lazy penalty (`gp:every=4`) is applied on the
    steps it is due; set the count when resuming. `critic` is the constrained critic (`constraint.attach`)."""

    constraint: Constraint
    critic: nn.Module
    optimizer: torch.optim.Optimizer
    loss: WassersteinLoss = field(default_factory=WassersteinLoss)
    critic_steps: int = 0
    parameters: list[nn.Parameter] = field(init=False)  # those the update trains, found once as setup does

    def __post_init__(self) -> None:
        self.parameters = [p for p in self.critic.parameters() if p.requires_grad]

    def __call__(self, real: Tensor, fake: Tensor, labels: Tensor | None = None) -> dict[str, Tensor]:
        """`labels`: for a conditional critic, the classes of the real rows, which the fake rows were generated
        for."""
        stats = update_critic(
            self.constraint,
            self.critic,
            self.critic,
            self.loss,
            self.optimizer,
            self.parameters,
            real,
            fake,
            self.critic_steps,
            labels=labels,
        )
        self.critic_steps += 1
        return stats
