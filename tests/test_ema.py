import pytest
import torch
from torch import nn

from ganlip.ema import EMA


def test_average_follows_the_recursion_and_buffers_are_copied():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    ema = EMA(model, decay=0.9, start=2)
    history = [model[0].weight.detach().clone()]
    for step in range(1, 5):
        with torch.no_grad():
            model[0].weight.add_(1.0)
        model(torch.randn(8, 3))  # moves batch norm's running statistics
        ema.update(model, step)
        history.append(model[0].weight.detach().clone())
    expected = history[1]  # steps 1: before start, a copy
    for step in range(2, 5):
        expected = 0.9 * expected + 0.1 * history[step]
    assert torch.allclose(ema.model[0].weight, expected)
    assert torch.equal(ema.model[1].running_mean, model[1].running_mean)
    assert not ema.model.training and not any(p.requires_grad for p in ema.model.parameters())


@pytest.mark.parametrize("decay", [0.0, 0.999])
def test_decay_bounds(decay):
    model = nn.Linear(2, 2)
    ema = EMA(model, decay)
    with torch.no_grad():
        model.weight.add_(1)
    ema.update(model, 0)
    moved = (ema.model.weight - (model.weight - 1)).abs().max().item()
    assert moved == pytest.approx(1 - decay, abs=1e-6)
