"""SLL blocks: the SDP condition that makes them 1-Lipschitz, checked with torch.linalg; their Jacobians by power
iteration; the same outputs as orthogonium's port on the same weights."""

import pytest
import torch
from orthogonium.layers.conv.SLL.sll_layer import SDPBasedLipschitzDense, SDPBasedLipschitzResBlock

from ganlip.models.sll import SLLConv, SLLDense
from tests.models.lipschitz_checks import conv_matrix, jacobian_norm


def scrambled(block: torch.nn.Module, scale: float = 3.0) -> torch.nn.Module:
    """Weights far from their initialization, and a q that does not cancel, so nothing holds by luck."""
    with torch.no_grad():
        for parameter in block.parameters():
            parameter.copy_(scale * torch.randn_like(parameter))
    return block.double()


def test_a_dense_blocks_scaling_satisfies_the_sdp_condition():
    block = scrambled(SLLDense(7, 5))
    gram = block.weight @ block.weight.T
    slack = torch.diag(1 / block.scales().double()) - gram  # T − WWᵀ ⪰ 0, the SLL condition
    assert torch.linalg.eigvalsh(slack).min() >= -1e-9 * gram.norm()


def test_a_conv_blocks_scaling_satisfies_the_sdp_condition_on_its_dense_matrix():
    block = scrambled(SLLConv(3, 4))
    size = 5
    matrix = conv_matrix(block.weight, size)  # rows: each inner channel at each position
    scales = block.scales().double().repeat_interleave(size * size)
    slack = torch.diag(1 / scales) - matrix @ matrix.T
    assert torch.linalg.eigvalsh(slack).min() >= -1e-9 * matrix.norm() ** 2


@pytest.mark.parametrize(("block", "shape"), [(SLLDense(6, 9), (6,)), (SLLConv(3, 5), (3, 6, 6))])
def test_each_block_is_1_lipschitz_by_power_iteration_on_its_jacobian(block, shape):
    block = scrambled(block, 0.5)
    norms = [jacobian_norm(block, torch.randn(1, *shape, dtype=torch.float64)) for _ in range(4)]
    assert max(norms) <= 1 + 1e-9
    assert max(norms) > 0.5  # a block is near an isometry where few units are active


def test_the_dense_block_matches_orthogonium_on_the_same_weights():
    ours = SLLDense(8, 6)
    theirs = SDPBasedLipschitzDense(8, 8, 6)
    with torch.no_grad():
        theirs.weight.copy_(ours.weight), theirs.bias.copy_(ours.bias), theirs.q.copy_(ours.q)
    x = torch.randn(5, 8)
    assert torch.allclose(ours(x), theirs(x), atol=1e-5)


def test_the_conv_block_matches_orthogonium_on_the_same_weights():
    """orthogonium scales the kernel by `√t` on both sides (AOL's form) where the source puts `t` between them:
    the same map once the bias is scaled by `√t`, since ReLU(s·z) = s·ReLU(z) for s > 0."""
    ours = SLLConv(6, 4)
    theirs = SDPBasedLipschitzResBlock(6, inner_dim_factor=4 / 6, kernel_size=3)
    with torch.no_grad():
        theirs.parametrizations.kernel.original.copy_(ours.weight)
        theirs.parametrizations.kernel[0].q.zero_()
        theirs.bias.copy_((ours.scales().sqrt() * ours.bias).view(1, -1, 1, 1))
    x = torch.randn(2, 6, 7, 7)
    assert torch.allclose(ours(x), theirs(x), atol=1e-5)


def test_blocks_start_as_the_source_initializes_them():
    block = SLLDense(1000, 400)
    fan_in, fan_out = 1000, 400
    std = (2 / (fan_in + fan_out)) ** 0.5
    assert block.weight.std().item() == pytest.approx(std, rel=0.02)  # Xavier-normal: a normal's tails, which
    assert block.weight.abs().max().item() > 3**0.5 * std  # a uniform of that std (bound √3 std) lacks
    assert block.bias.abs().max().item() <= 1 / fan_in**0.5
    assert block.bias.abs().max().item() > 0.9 / fan_in**0.5
    assert block.q.std().item() == pytest.approx(1.0, rel=0.2)
