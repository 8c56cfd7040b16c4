import pytest
import torch
from torch import nn

from ganlip.measurements import measurements
from tests.conftest import LinearCritic


class Shift(nn.Module):
    def __init__(self, shift: torch.Tensor):
        super().__init__()
        self.shift = nn.Parameter(shift)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z - self.shift


def test_the_optimal_critic_of_a_shift_is_perfectly_tight():
    """Fake = real - t: W1 = ‖t‖, attained by D(x) = x·t/‖t‖, so the tightness is exactly 1."""
    real = torch.randn(128, 2, dtype=torch.float64)
    shift = torch.tensor([1.5, -2.0], dtype=torch.float64)
    values = measurements(LinearCritic(shift / shift.norm()), Shift(shift), real, real.clone())
    assert values["w1_exact"] == pytest.approx(2.5)
    assert values["tightness"] == pytest.approx(1.0)
    assert values["lipschitz/lower"] == pytest.approx(1.0) == pytest.approx(values["lipschitz/upper"])


def test_a_shrunken_critic_is_proportionally_loose():
    real = torch.randn(128, 2, dtype=torch.float64)
    shift = torch.tensor([0.0, 1.0], dtype=torch.float64)
    values = measurements(LinearCritic(0.25 * shift), Shift(shift), real, real.clone())
    assert values["tightness"] == pytest.approx(0.25)


def test_measuring_a_conditional_critic_moves_no_power_iteration(tmp_path):
    from ganlip.constraints import build
    from ganlip.measurements import measurements
    from ganlip.models import build_model

    torch.manual_seed(0)
    generator, critic = build_model("mlp", (2,), width=8, num_classes=4)
    critic = build("sn").attach(critic).train()  # as the loop leaves it after a generator step
    buffers = {name: b.clone() for name, b in critic.named_buffers()}
    labels = torch.arange(32) % 4
    measurements(critic, generator, torch.randn(32, 2), torch.randn(32, 2), labels=labels)
    assert all(torch.equal(buffers[name], b) for name, b in critic.named_buffers())
