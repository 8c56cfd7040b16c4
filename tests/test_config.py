from pathlib import Path

import pytest
import yaml

from ganlip import config as config_module
from ganlip.config import Config, from_dict
from ganlip.errors import GanlipError
from ganlip.resolution import resolve

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
    if {"compare", "parts"} & set(config_module.read_mapping(path)):  # a comparison: a config per strategy, seed
        from ganlip.compare.suite import load_suite, plan

        configs = [run.config for run in plan(load_suite(path), Path("/nonexistent"))]
        # celeba64: clip, gp, lp, sn, fn, 3 seeds; speed: gp and its lazy form on 2 toys, 6 specs on Fashion, 2 seeds;
        # conditional claim: 3 seeds of gp, sn on each unconditional part, 7 specs on the conditional toy, 3 on Fashion
        counts = {"celeba64_compare.yaml": 15, "speed_compare.yaml": 20, "conditional_claim.yaml": 6 + 21 + 6 + 21}
        assert len(configs) == counts[path.name]
    else:
        configs = [config_module.load(path)]
    for config in configs:
        resolved = resolve(config)
        assert resolved.arch is not None and resolved.resolution in (None, 32, 64, 128)
        if path.name in PAPER_SETTINGS:
            optimizer = (resolved.optimizer, resolved.lr, list(resolved.betas), resolved.n_critic)
            assert (resolved.constraint, *optimizer, resolved.loss, resolved.lr_decay) == PAPER_SETTINGS[path.name]


ADAM_SNGAN = ("adam", 2e-4, [0.0, 0.9], 5)  # sn_cifar10_unconditional.yml lines 36-38, 44
# What each recipe must resolve to, written out from the sources (docs/strategies.md cites their lines).
PAPER_SETTINGS = {
    "cifar10_wgangp.yaml": ("gp:weight=10", "adam", 2e-4, [0.0, 0.9], 5, "wasserstein", "linear"),  # gan_cifar_resnet
    "celeba64_wgangp.yaml": ("gp:weight=10", "adam", 1e-4, [0.0, 0.9], 5, "wasserstein", "none"),  # gan_64x64.py
    "cifar10_sngan.yaml": ("sn", *ADAM_SNGAN, "hinge", "linear"),
    "celeba64_sngan.yaml": ("sn", *ADAM_SNGAN, "hinge", "linear"),  # mimicry's README: 64 px, n_dis 5, linear
    "celeba128_sngan.yaml": ("sn", "adam", 2e-4, [0.0, 0.9], 2, "hinge", "none"),  # 128 px: n_dis 2, no decay
    "celeba64_wgan.yaml": ("clip:c=0.01", "rmsprop", 5e-5, [0.0, 0.9], 5, "wasserstein", "none"),  # WGAN
    "fashion32_gp.yaml": ("gp:weight=10", "adam", 1e-4, [0.5, 0.9], 5, "wasserstein", "none"),  # gan_cifar.py
    "fashion32_sn.yaml": ("sn", *ADAM_SNGAN, "wasserstein", "none"),
    "toy_8gaussians_gp.yaml": ("gp:weight=0.1", "adam", 1e-4, [0.5, 0.9], 5, "wasserstein", "none"),  # gan_toy
    "toy_8gaussians_clip.yaml": ("clip:c=0.01", "rmsprop", 5e-5, [0.0, 0.9], 5, "wasserstein", "none"),
}


def test_wgans_critic_schedule_is_100_steps_for_25_generator_steps_and_every_500th():
    """WassersteinGAN main.py lines 163-166: Diters = 100 if gen_iterations < 25 or gen_iterations % 500 == 0."""
    from ganlip.config import critic_steps_at, critic_steps_before

    config = Config(n_critic=5, critic_schedule="wgan")
    reference = [100 if done < 25 or done % 500 == 0 else 5 for done in range(1200)]
    assert [critic_steps_at(config, step) for step in range(1, 1201)] == reference
    assert critic_steps_before(config, 1200) == sum(reference)
    constant = Config(n_critic=5, critic_schedule="constant")
    assert critic_steps_at(constant, 1) == 5 and critic_steps_before(constant, 7) == 35


def test_amp_off_reads_as_off_from_yaml_and_from_runs_written_before_amp_auto():
    assert from_dict({"amp": "none"}).amp == "off"
    assert from_dict(yaml.safe_load("amp: off")).amp == "off"  # YAML 1.1 reads a bare off as false
