import math

import pytest
import torch

from ganlip.losses import HingeLoss, NonSaturatingLoss, WassersteinLoss, build_loss


def test_hinge_values_on_known_scores():
    real, fake = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([-3.0, 0.0, 0.5])
    # relu(1 - real) = [0, 0.5, 2] → mean 5/6; relu(1 + fake) = [0, 1, 1.5] → mean 5/6
    assert torch.allclose(HingeLoss().critic(real, fake), torch.tensor(5 / 3))
    assert torch.allclose(HingeLoss().generator(fake), torch.tensor(2.5 / 3))


def test_wasserstein_values_and_names():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    assert WassersteinLoss().critic(real, fake).item() == -3.0
    assert isinstance(build_loss("hinge"), HingeLoss)


def test_non_saturating_values_are_binary_cross_entropy_on_logits():
    """Critic: -log σ(D(real)) - log(1 - σ(D(fake))); generator: -log σ(D(G(z))), averaged."""
    real, fake = torch.tensor([2.0, -0.5]), torch.tensor([-1.0, 0.3])

    def sigmoid(t):
        return 1 / (1 + math.exp(-t))

    critic = sum(-math.log(sigmoid(r)) for r in real.tolist()) / 2
    critic += sum(-math.log(1 - sigmoid(f)) for f in fake.tolist()) / 2
    generator = sum(-math.log(sigmoid(f)) for f in fake.tolist()) / 2
    loss = build_loss("ns")
    assert isinstance(loss, NonSaturatingLoss)
    assert loss.critic(real, fake).item() == pytest.approx(critic)
    assert loss.generator(fake).item() == pytest.approx(generator)
