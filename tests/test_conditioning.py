import torch
from torch import nn

from ganlip.conditioning import Conditioned, balanced_classes, conditioned, cycled


class Echo(nn.Module):
    def forward(self, x, y):
        return y


def test_labels_cycle_over_stacked_batches_and_shorter_calls():
    labels = torch.tensor([4, 7, 1])
    assert cycled(labels, 3) is labels
    assert cycled(labels, 6).tolist() == [4, 7, 1, 4, 7, 1]  # real and fake stacked: each row keeps its class
    assert cycled(labels, 2).tolist() == [4, 7]
    assert cycled(labels, 7).tolist() == [4, 7, 1, 4, 7, 1, 4]


def test_a_conditioned_network_passes_the_bound_classes_and_an_unconditional_one_is_left_alone():
    echo = Echo()
    bound = Conditioned(echo, torch.tensor([2, 5]))
    assert bound(torch.zeros(4, 3)).tolist() == [2, 5, 2, 5]
    plain = nn.Identity()
    assert conditioned(plain, None) is plain
    assert isinstance(conditioned(echo, torch.tensor([1])), Conditioned)


def test_balanced_classes_spread_evenly():
    counts = torch.bincount(balanced_classes(1000, 7), minlength=7)
    assert counts.max() - counts.min() <= 1
