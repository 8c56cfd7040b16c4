"""`sll` and `cpl`: strategies that are critics of their own, built in place of the architecture's critic by
`ganlip train` and the Wasserstein-1 benchmark alike."""

import pytest

from ganlip.bench.critic_run import critic_for, hidden_width
from ganlip.builders import build_networks
from ganlip.constraints import build
from ganlip.errors import GanlipError
from ganlip.models.cpl import CPLConv, CPLDense
from ganlip.models.dcgan import DCGANGenerator
from ganlip.models.lipschitz_residual import ResidualLipschitzCritic
from ganlip.models.sll import SLLConv, SLLDense
from ganlip.resolution import resolve
from tests.conftest import tiny_config

BLOCKS = {"sll": (SLLConv, SLLDense), "cpl": (CPLConv, CPLDense)}


@pytest.mark.parametrize("name", ["sll", "cpl", "sll+gp"])
def test_a_run_trains_the_strategys_critic_beside_the_architectures_generator(tmp_path, name):
    config = resolve(tiny_config(tmp_path, "digits", constraint=name, arch="dcgan", resolution=32))
    generator, critic, constraint = build_networks(config, (1, 32, 32))
    conv, dense = BLOCKS[name.split("+")[0]]
    assert isinstance(generator, DCGANGenerator) and isinstance(critic, ResidualLipschitzCritic)
    assert sum(isinstance(m, conv) for m in critic.modules()) == 20
    assert sum(isinstance(m, dense) for m in critic.modules()) == 7
    assert [part.name for part in constraint.parts] == name.split("+")


@pytest.mark.parametrize("name", ["sll", "cpl"])
def test_the_benchmark_gives_it_two_blocks_at_the_paper_critics_width(name):
    critic = critic_for(build(name), 16, "relu")
    blocks = [m for m in critic.modules() if isinstance(m, BLOCKS[name][1])]
    assert len(blocks) == 2 and all(block.weight.shape == (hidden_width(16), hidden_width(16)) for block in blocks)


def test_two_critics_of_their_own_are_refused_in_one_line():
    with pytest.raises(GanlipError, match="sll and cpl are each a critic of their own"):
        build("sll+cpl")
