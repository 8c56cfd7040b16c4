from pathlib import Path

import pytest

from ganlip import config as config_module
from ganlip.config import Config
from ganlip.errors import GanlipError
from ganlip.train import resolve

CONFIGS = sorted((Path(__file__).parent.parent / "configs").glob("*.yaml"))


def test_yaml_round_trip(tmp_path):
    config = Config(data="8gaussians", constraint="sn+gp:weight=5", betas=[0.5, 0.9], lr=3e-4)
    config.save(tmp_path / "c.yaml")
    assert config_module.load(tmp_path / "c.yaml") == config


def test_integers_are_accepted_for_floats_but_not_the_reverse():
    assert config_module.from_dict({"lr": 1}).lr == 1.0
    with pytest.raises(GanlipError, match="'steps' must be int"):
        config_module.from_dict({"steps": 2.5})
    with pytest.raises(GanlipError, match="'download' must be bool"):
        config_module.from_dict({"download": "yes"})


def test_unknown_key_suggests_the_closest():
    with pytest.raises(GanlipError, match="Did you mean 'n_critic'"):
        config_module.from_dict({"ncritic": 5})


def test_set_values_are_read_as_yaml_scalars():
    values = config_module.parse_assignments(["lr=1e-4", "betas=[0.5, 0.9]", "data=mnist", "steps=10"])
    config = config_module.from_dict(values)
    assert (config.lr, config.betas, config.data, config.steps) == (1e-4, [0.5, 0.9], "mnist", 10)
    with pytest.raises(GanlipError, match="key=value"):
        config_module.parse_assignments(["lr"])


@pytest.mark.parametrize(
    ("values", "message"),
    [({"betas": [0.5]}, "two numbers"), ({"device": "tpu"}, "device 'tpu'"), ({"optimizer": "sgd"}, "optimizer")],
)
def test_bad_values(values, message):
    with pytest.raises(GanlipError, match=message):
        config_module.from_dict(values)


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_bundled_configs_load_and_resolve(path):
    if "compare" in config_module.read_mapping(path):  # a comparison: one config per strategy and seed
        from ganlip.compare.suite import load_suite, plan

        configs = [run.config for run in plan(load_suite(path), Path("/nonexistent"))]
        assert len(configs) == 15  # clip, gp, lp, sn, fn; 3 seeds
    else:
        configs = [config_module.load(path)]
    for config in configs:
        resolved = resolve(config)
        assert resolved.lr is not None and resolved.arch is not None
