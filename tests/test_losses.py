import torch

from ganlip.losses import HingeLoss, WassersteinLoss, build_loss


def test_hinge_values_on_known_scores():
    real, fake = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([-3.0, 0.0, 0.5])
    # relu(1 - real) = [0, 0.5, 2] → mean 5/6; relu(1 + fake) = [0, 1, 1.5] → mean 5/6
    assert torch.allclose(HingeLoss().critic(real, fake), torch.tensor(5 / 3))
    assert torch.allclose(HingeLoss().generator(fake), torch.tensor(2.5 / 3))


def test_wasserstein_values_and_names():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    assert WassersteinLoss().critic(real, fake).item() == -3.0
    assert isinstance(build_loss("hinge"), HingeLoss)
