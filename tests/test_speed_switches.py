"""The speed switches keep the maths: bf16 autocast (gradient penalty included), channels-last, compile."""

import pytest
import torch

from ganlip.constraints import build
from ganlip.train import build_run, critic_step, generator_step, resolve, train
from tests.conftest import conv_critic, tiny_config


def test_gradient_penalty_under_bf16_autocast_matches_float32():
    """PyTorch's AMP recipe for gradient penalties: the gradient is taken of the autocast forward's output
    (bf16 needs no loss scaling) and its norm is formed in float32."""
    critic = conv_critic()
    real, fake = torch.randn(16, 3, 8, 8), torch.randn(16, 3, 8, 8)
    torch.manual_seed(3)
    exact = build("gp").penalty(critic, real, fake)
    torch.manual_seed(3)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = build("gp").penalty(critic, real, fake)
    assert mixed.dtype == torch.float32
    assert mixed.item() == pytest.approx(exact.item(), rel=0.05)
    mixed.backward()
    assert all(torch.isfinite(p.grad).all() for p in critic.parameters() if p.grad is not None)


@pytest.mark.parametrize("switches", [dict(amp="bf16"), dict(channels_last=True)])
def test_steps_run_with_switches(tmp_path, switches):
    run = build_run(resolve(tiny_config(tmp_path, constraint="sn+gp", **switches)))
    for _ in range(2):
        stats = critic_step(run, next(run.stream)) | generator_step(run)
        assert all(torch.isfinite(value) for value in stats.values())


def test_channels_last_changes_no_number(tmp_path):
    plain = build_run(resolve(tiny_config(tmp_path, constraint="sn")))
    last = build_run(resolve(tiny_config(tmp_path, constraint="sn", channels_last=True)))
    results = []
    for run in (plain, last):
        torch.manual_seed(1)  # the same latents for both
        results.append(critic_step(run, next(run.stream)))
    first, second = results
    for key in first:  # other convolution kernels only round differently
        assert torch.allclose(first[key], second[key], rtol=1e-4, atol=1e-6), key
    for a, b in zip(plain.critic.parameters(), last.critic.parameters(), strict=True):
        assert torch.allclose(a.grad, b.grad, rtol=1e-3, atol=1e-6)


@pytest.mark.slow
def test_compiled_run_trains(tmp_path):
    train(tiny_config(tmp_path, "8gaussians", constraint="sn", compile=True, steps=2), quiet=True)
