"""The speed switches keep the maths: bf16 autocast (gradient penalty included), channels-last, compile."""

import pytest
import torch
from torch._dynamo.eval_frame import OptimizedModule

from ganlip.constraints import build
from ganlip.resolution import resolve
from ganlip.setup import build_run
from ganlip.train import critic_step, generator_step
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


def two_steps(config) -> tuple[list[dict], list[torch.Tensor]]:
    run = build_run(resolve(config))
    torch.manual_seed(0)  # the same latents in every run
    stats = [critic_step(run, next(run.stream)) | generator_step(run) for _ in range(2)]
    return stats, [p.detach().clone() for p in [*run.critic.parameters(), *run.generator.parameters()]]


@pytest.mark.slow
def test_compiled_steps_follow_eager_ones(tmp_path):
    config = tiny_config(tmp_path, "8gaussians", constraint="sn")
    run = build_run(resolve(config.replace(compile=True)))
    assert isinstance(run.critic_train, OptimizedModule) and isinstance(run.generator_train, OptimizedModule)
    (eager, eager_weights), (compiled, compiled_weights) = two_steps(config), two_steps(config.replace(compile=True))
    for first, second in zip(eager, compiled, strict=True):
        for key in first:  # fused kernels round differently: measured at most 3e-5 on losses near 0.01
            assert torch.allclose(first[key], second[key], rtol=1e-3, atol=1e-4), key
    # As across DDP processes: Adam turns the rounding of a near-zero gradient into a step of up to ±lr, so a
    # weight may move by 2 lr per update; nearly every weight agrees to float rounding (measured 99.85%).
    difference = torch.cat([(a - b).abs().flatten() for a, b in zip(eager_weights, compiled_weights, strict=True)])
    updates = 2 * (config.n_critic + 1)
    assert difference.max() <= 2 * resolve(config).lr * updates
    assert (difference <= 1e-6).float().mean() > 0.99


@pytest.mark.slow
def test_a_double_backward_penalty_keeps_the_critic_eager(tmp_path):
    """Compiled graphs cannot be differentiated twice: under gp only the generator is compiled, and it trains."""
    config = tiny_config(tmp_path, "8gaussians", constraint="gp", compile=True, steps=2)
    run = build_run(resolve(config))
    assert not isinstance(run.critic_train, OptimizedModule) and isinstance(run.generator_train, OptimizedModule)
    stats, _ = two_steps(config)
    assert all(torch.isfinite(value) for step in stats for value in step.values())
