import torch

from ganlip.builders import build_networks, dataset_for
from ganlip.data import load_data
from ganlip.resolution import resolve
from ganlip.train import train
from ganlip.trained import restore
from tests.conftest import tiny_config


def test_setup_and_restore_build_the_same_networks(tmp_path):
    config = resolve(tiny_config(tmp_path, "8gaussians", constraint="sn+gp", steps=2))
    run_dir = train(config, quiet=True)
    generator, critic, constraint = build_networks(config, (2,))
    restored = restore(run_dir)
    assert [part.name for part in constraint.parts] == ["sn", "gp"] and constraint.parts[1].weight == 0.1
    for built, back in ((generator, restored.generator), (critic, restored.critic)):
        assert {k: v.shape for k, v in built.state_dict().items()} == {
            k: v.shape for k, v in back.state_dict().items()
        }  # the same layers and parametrizations (sn's u and v), so a checkpoint loads into either


def test_a_toys_data_set_is_drawn_from_the_runs_seed(tmp_path):
    config = resolve(tiny_config(tmp_path, "8gaussians", seed=3))
    points = torch.stack([dataset_for(config)[i] for i in range(5)])
    same = load_data("8gaussians", seed=3)
    assert torch.equal(points, torch.stack([same[i] for i in range(5)]))
    other = load_data("8gaussians", seed=0)
    assert not torch.equal(points, torch.stack([other[i] for i in range(5)]))
