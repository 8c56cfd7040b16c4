import pytest
import torch

from ganlip.constraints import build
from ganlip.critic_update import CriticUpdate
from tests.conftest import conv_critic
from tests.constraints.test_sn import converge


def spectrum(layer) -> torch.Tensor:
    return torch.linalg.svdvals(layer.parametrizations.weight.original.detach().flatten(1).double())


def test_the_top_half_of_each_convolutions_spectrum_is_raised_to_its_largest_value():
    critic = conv_critic()
    sr = build("sr")
    sr.attach(critic)
    before = {index: spectrum(critic[index]) for index in (0, 2)}
    linear_before = critic[5].parametrizations.weight.original.detach().clone()
    sr.after_step(critic)
    for index, old in before.items():
        new, half = spectrum(critic[index]), len(old) // 2
        assert torch.allclose(new[:half], torch.ones(half, dtype=torch.float64), atol=1e-6)
        assert torch.allclose(new[half:], old[half:] / old[0], atol=1e-6)  # the rest keep their share of σ₁
    assert torch.equal(critic[5].parametrizations.weight.original, linear_before)  # Linear layers: SN alone
    converge(critic)
    assert torch.linalg.matrix_norm(critic[0].weight.detach().flatten(1), ord=2).item() == pytest.approx(1, abs=1e-4)


def test_the_projection_runs_on_one_critic_step_in_every():
    critic = conv_critic()
    sr = build("sr:every=3")
    sr.attach(critic)
    update = CriticUpdate(sr, critic, torch.optim.SGD(critic.parameters(), lr=0.1))
    flat = []
    for _ in range(5):
        update(torch.randn(4, 3, 8, 8), torch.randn(4, 3, 8, 8))
        values = spectrum(critic[0])
        flat.append(bool(torch.allclose(values[: len(values) // 2], values[0].expand(len(values) // 2), rtol=1e-6)))
    assert flat == [True, False, False, True, False]
