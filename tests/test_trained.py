import pytest
import torch

import ganlip
from ganlip.checkpoint import load_checkpoint
from ganlip.errors import GanlipError
from ganlip.export import export_generator
from ganlip.inspection import inspect_critic
from ganlip.train import train
from ganlip.trained import restore
from tests.conftest import tiny_config


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    config = tiny_config(tmp_path_factory.mktemp("restore"), constraint="sn", ema_decay=0.9, ema_start=1, steps=2)
    return train(config, quiet=True)


def same_state(module, state):
    restored = module.state_dict()
    return restored.keys() == state.keys() and all(torch.equal(restored[k], state[k]) for k in state)


def test_a_run_directory_and_its_checkpoint_file_restore_the_same_networks(run_dir):
    checkpoint = load_checkpoint(run_dir)
    for source in (run_dir, run_dir / "checkpoints" / "step_000002.pt"):
        restored = restore(source)
        assert restored.step == 2 and restored.data_shape == tuple(checkpoint["data_shape"])
        assert restored.config.to_dict() == checkpoint["config"]
        assert restored.averaged and same_state(restored.generator, checkpoint["generator_ema"])
        assert same_state(restored.critic, checkpoint["critic"])  # spectral norm's u and its weights included
        assert not restored.generator.training and not restored.critic.training


def test_an_export_restores_the_same_generator_and_no_critic(run_dir, tmp_path):
    weights, _ = export_generator(run_dir, tmp_path / "G.safetensors")
    from_run, from_export = restore(run_dir), restore(weights)
    assert from_export.critic is None
    assert (from_export.config, from_export.step, from_export.averaged) == (from_run.config, 2, True)
    z = torch.randn(4, from_run.generator.latent_dim)
    with torch.no_grad():
        assert torch.equal(from_export.generator(z), from_run.generator(z))
    assert torch.equal(ganlip.load_generator(weights)(z), from_export.generator(z))
    assert ganlip.restore is restore


def test_inspecting_an_export_says_it_holds_no_critic(run_dir, tmp_path):
    weights, _ = export_generator(run_dir, tmp_path / "G.safetensors")
    with pytest.raises(GanlipError, match="holds no critic; inspect its run directory"):
        inspect_critic(weights)
