"""The CUDA path: run with `pytest -m cuda` on a machine with a GPU (scripts/gpu_check.sh does); without one
every test here skips."""

import sys
from pathlib import Path

import pytest
import torch

from ganlip.checkpoint import load_checkpoint
from ganlip.config import Config
from ganlip.constraints import build
from ganlip.export import export_generator
from ganlip.metrics.features import build_features
from ganlip.metrics.statistics import batched_features
from ganlip.resolution import resolve
from ganlip.sampling import sample_grid
from ganlip.setup import build_run
from ganlip.train import critic_step, generator_step, train
from ganlip.trained import restore
from tests.conftest import conv_critic, tiny_config

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]
CORE = ["clip", "gp", "lp", "sn", "fn"]
LATER = ["r1", "dragan", "gn", "aol", "bjorck"]  # the methods papers compare against since SNGAN


def on_gpu(tmp_path, data="digits", **changes):
    return tiny_config(tmp_path, data, device="cuda", **changes)


@pytest.mark.parametrize("amp", ["off", "bf16"])
@pytest.mark.parametrize("constraint", CORE + LATER)
def test_every_core_strategy_trains_on_the_gpu(tmp_path, constraint, amp):
    run = build_run(resolve(on_gpu(tmp_path, constraint=constraint, amp=amp)))
    assert run.device.type == "cuda" and next(run.critic.parameters()).is_cuda
    for _ in range(3):
        stats = critic_step(run, next(run.stream)) | generator_step(run)
        assert all(torch.isfinite(value) for value in stats.values()), stats


def test_amp_auto_is_bf16_on_an_ampere_or_newer_gpu(tmp_path):
    expected = "bf16" if torch.cuda.get_device_capability()[0] >= 8 else "off"
    assert resolve(on_gpu(tmp_path, amp="auto")).amp == expected


def test_bf16_gradient_penalty_is_within_5_percent_of_float32():
    critic = conv_critic().cuda()
    real, fake = torch.randn(64, 3, 8, 8, device="cuda"), torch.randn(64, 3, 8, 8, device="cuda")
    torch.manual_seed(3)
    exact = build("gp").penalty(critic, real, fake)
    torch.manual_seed(3)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        mixed = build("gp").penalty(critic, real, fake)
    assert mixed.dtype == torch.float32 and mixed.item() == pytest.approx(exact.item(), rel=0.05)


def test_channels_last_gives_the_values_of_contiguous_tensors(tmp_path):
    results = []
    for channels_last in (False, True):
        run = build_run(resolve(on_gpu(tmp_path, constraint="sn", channels_last=channels_last, amp="off")))
        torch.manual_seed(1)
        results.append(critic_step(run, next(run.stream)))
    for key in results[0]:
        assert torch.allclose(results[0][key], results[1][key], rtol=1e-3, atol=1e-5), key


def test_a_compiled_sn_critic_trains_with_cudnn_autotuning(tmp_path):
    run = build_run(resolve(on_gpu(tmp_path, constraint="sn", compile=True, cudnn_benchmark=True)))
    assert torch.backends.cudnn.benchmark
    for _ in range(2):
        stats = critic_step(run, next(run.stream)) | generator_step(run)
        assert all(torch.isfinite(value) for value in stats.values())


def test_ema_export_and_sample_on_the_gpu(tmp_path):
    run_dir = train(on_gpu(tmp_path, ema_decay=0.9, steps=2), quiet=True)
    weights, _ = export_generator(run_dir, tmp_path / "G.safetensors")
    generator = restore(weights, "cuda").generator
    assert next(generator.parameters()).is_cuda
    picture = sample_grid(weights, 16, tmp_path / "grid.png")
    assert picture.is_file()


def test_checkpoints_move_between_the_gpu_and_the_cpu(tmp_path):
    on_cuda = train(on_gpu(tmp_path / "a", constraint="sn", steps=2, checkpoint_every=2), quiet=True)
    resumed = train(Config(), resume=on_cuda, changes={"steps": 4, "device": "cpu"}, quiet=True)
    assert load_checkpoint(resumed)["step"] == 4
    on_cpu = train(tiny_config(tmp_path / "b", constraint="sn", steps=2, checkpoint_every=2), quiet=True)
    resumed = train(Config(), resume=on_cpu, changes={"steps": 4, "device": "cuda"}, quiet=True)
    assert load_checkpoint(resumed)["step"] == 4


def test_features_on_the_gpu_equal_the_cpus():
    images = torch.rand(32, 1, 32, 32) * 2 - 1
    cpu = batched_features(build_features("fashion-cnn"), iter([images]), torch.device("cpu"))
    gpu = batched_features(build_features("fashion-cnn").cuda(), iter([images]), torch.device("cuda"))
    assert torch.allclose(torch.as_tensor(cpu), torch.as_tensor(gpu), rtol=1e-3, atol=1e-4)


def test_the_step_time_benchmark_measures_cuda_peak_memory():
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    import step_time

    arguments = step_time.parse_arguments(["--device", "cuda", "--rounds", "1", "--iterations", "1"])
    rows = step_time.measure(["none", "sn"], arguments, "cuda")
    assert all(row["peak_memory_mb"] is not None and row["peak_memory_mb"] > 0 for row in rows)


def test_the_certified_layers_hold_their_bound_on_the_gpu():
    """aol and bjorck compute their weights in float32 under bf16 autocast: every layer's norm stays at most 1."""
    for spec in ("aol", "bjorck"):
        critic = build(spec).attach(conv_critic()).cuda()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            weights = [layer.weight for layer in critic if hasattr(layer, "parametrizations")]
        for weight in weights:
            assert weight.dtype == torch.float32
            assert torch.linalg.matrix_norm(weight.flatten(1).double(), ord=2) <= 1 + 1e-5
