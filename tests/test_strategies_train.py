"""Every strategy, and each sensible pair with sn and gp, trains a few steps on both critic architectures."""

import pytest
import torch

from ganlip.constraints import Trait, available, build
from ganlip.errors import GanlipError
from ganlip.resolution import resolve
from ganlip.setup import build_run
from ganlip.train import critic_step, generator_step
from tests.conftest import tiny_config

SINGLE = [name for name in available() if name != "none"]
PAIRS = sorted(  # two normalizations of one weight are refused (below)
    f"{name}+{partner}"
    for name in SINGLE
    for partner in ("sn", "gp")
    if name != partner and not {Trait.NORMALIZES} <= build(name).traits & build(partner).traits
)


def finite_run(tmp_path, data: str, constraint: str, **changes) -> None:
    """Three generator steps (with their critic steps) of the real step functions; every loss stays finite."""
    run = build_run(resolve(tiny_config(tmp_path, data, constraint=constraint, **changes)))
    for _ in range(3):
        stats = critic_step(run, next(run.stream)) | generator_step(run)
        for key, value in stats.items():
            assert torch.isfinite(value), (constraint, key, value)


@pytest.mark.parametrize("data", ["8gaussians", "digits"])  # MLP critic, DCGAN critic
@pytest.mark.parametrize("constraint", SINGLE)
def test_each_strategy_trains(tmp_path, data, constraint):
    finite_run(tmp_path, data, constraint)


@pytest.mark.parametrize("arch", ["resnet", "sngan"])  # the residual critics (sll and cpl bring their own)
@pytest.mark.parametrize("constraint", [name for name in SINGLE if build(name).critic is None])
def test_each_strategy_trains_the_residual_critics(tmp_path, arch, constraint):
    finite_run(tmp_path, "digits", constraint, arch=arch, width=4)


@pytest.mark.parametrize("constraint", PAIRS)
def test_each_pair_with_sn_and_gp_trains(tmp_path, constraint):
    finite_run(tmp_path, "digits", constraint)


@pytest.mark.parametrize("spec", ["fn+sn", "aol+sn", "bjorck+fn"])
def test_two_normalizations_are_refused(spec):
    with pytest.raises(GanlipError, match="both normalize"):
        build(spec)
