"""Adversarial losses: how critic scores become the critic's and the generator's losses."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from ganlip.errors import unknown_name


class WassersteinLoss:
    """WGAN (Arjovsky et al. 2017): the critic minimizes `E[D(fake)] - E[D(real)]`, the generator
    `-E[D(G(z))]`. With a 1-Lipschitz critic, `-critic_loss` estimates the Wasserstein-1 distance."""

    def critic(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return fake_scores.mean() - real_scores.mean()

    def generator(self, fake_scores: Tensor) -> Tensor:
        return -fake_scores.mean()


class HingeLoss(WassersteinLoss):
    """The hinge loss of SNGAN's ResNet experiments (Miyato et al. 2018, eq. 16; Lim & Ye 2017): the critic
    minimizes `E[max(0, 1 - D(real))] + E[max(0, 1 + D(fake))]`, the generator `-E[D(G(z))]` as in WGAN."""

    def critic(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


class NonSaturatingLoss(WassersteinLoss):
    """The non-saturating GAN loss (Goodfellow et al. 2014), with the critic's score a logit: the critic minimizes
    `E[softplus(-D(real))] + E[softplus(D(fake))]` (binary cross-entropy), the generator `E[softplus(-D(G(z)))]`.
    R1's source trains with it (GAN_stability's `gan_type: standard`, `gan_training/train.py` lines 92-102)."""

    def critic(self, real_scores: Tensor, fake_scores: Tensor) -> Tensor:
        return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()

    def generator(self, fake_scores: Tensor) -> Tensor:
        return F.softplus(-fake_scores).mean()


LOSSES = {"wasserstein": WassersteinLoss, "hinge": HingeLoss, "ns": NonSaturatingLoss}
DEFAULT_LOSS = "wasserstein"


def build_loss(name: str) -> WassersteinLoss:
    if name not in LOSSES:
        raise unknown_name("loss", name, LOSSES)
    return LOSSES[name]()
