"""CPL blocks: the norm their step size divides by against torch.linalg, their Jacobians by power iteration,
the gradient through the power step against the source's graph, and the power iteration's state."""

import pytest
import torch
import torch.nn.functional as F

from ganlip.models.cpl import CPLConv, CPLDense
from tests.models.lipschitz_checks import conv_matrix, jacobian_norm


def converged(block, shape, calls: int = 300):
    """The block after enough training calls for its one-step-a-call power iteration to converge."""
    block = block.double()
    x = torch.zeros(1, *shape, dtype=torch.float64)
    for _ in range(calls):
        block.norm(x)
    return block


def dense_map(block, shape):
    return block.weight.detach() if len(shape) == 1 else conv_matrix(block.weight.detach(), shape[-1])


@pytest.mark.parametrize(("make", "shape"), [(lambda: CPLDense(7, 5), (7,)), (lambda: CPLConv(3, 4), (3, 6, 6))])
def test_in_training_one_step_a_call_reaches_the_blocks_norm_from_below(make, shape):
    block = make().double()  # drawn from the test's seed
    x = torch.zeros(1, *shape, dtype=torch.float64)
    estimates = [block.norm(x).item() for _ in range(300)]
    exact = torch.linalg.matrix_norm(dense_map(block, shape), 2).item()  # the padded convolution on its input
    assert estimates[-1] == pytest.approx(exact, rel=1e-3)
    assert max(estimates) <= exact * (1 + 1e-12)


@pytest.mark.parametrize(("make", "shape"), [(lambda: CPLDense(6, 9), (6,)), (lambda: CPLConv(3, 5), (3, 6, 6))])
def test_each_block_is_1_lipschitz_by_power_iteration_on_its_jacobian(make, shape):
    block = converged(make(), shape).eval()
    norms = [jacobian_norm(block, torch.randn(1, *shape, dtype=torch.float64)) for _ in range(3)]
    assert 0.5 < max(norms) <= 1 + 1e-6


def source_power_method(weight: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Convex-Potential-Layer's `SpectralNormPowerMethod._compute_dense` with one step (util.py lines 168-176):
    `v` keeps its graph, `u` is replaced by data."""
    v = F.normalize(F.linear(u, weight), dim=-1)
    u = F.normalize(F.linear(v, weight.T), dim=-1).detach()
    return (F.linear(u, weight) * v).sum()


def test_in_training_the_norms_gradient_flows_through_the_power_step_as_in_the_source():
    block = CPLDense(6, 4).double()
    block(torch.zeros(1, 6, dtype=torch.float64))  # the first call shapes the vector
    with torch.no_grad():  # away from convergence, where the gradient through `v` is not zero
        block.u.copy_(F.normalize(torch.randn_like(block.u), dim=-1))
    u = block.u.clone()
    ours = block.norm(torch.zeros(1, 6, dtype=torch.float64))
    (ours_grad,) = torch.autograd.grad(ours, block.weight)
    reference = source_power_method(block.weight, u)
    (reference_grad,) = torch.autograd.grad(reference, block.weight)
    assert ours.item() == pytest.approx(reference.item(), rel=1e-12)
    assert torch.allclose(ours_grad, reference_grad, atol=1e-12)
    with torch.no_grad():  # spectral normalization's gradient, `v uᵀ` with both held constant, differs
        v = F.normalize(F.linear(u, block.weight), dim=-1)
        constant_pair = torch.outer(v[0], F.normalize(F.linear(v, block.weight.T), dim=-1)[0])
    assert not torch.allclose(ours_grad, constant_pair, atol=1e-3)


def test_evaluation_uses_the_training_estimate_and_leaves_its_vector():
    block = CPLDense(5, 3).double()
    x = torch.randn(2, 5, dtype=torch.float64)
    block(x)
    with torch.no_grad():  # a vector away from convergence, so that a step would show
        block.u.copy_(F.normalize(torch.randn_like(block.u), dim=-1))
    u = block.u.clone()
    block.eval()
    assert block.norm(x).item() == pytest.approx(torch.linalg.vector_norm(block.weight @ u[0]).item(), rel=1e-12)
    block(x)
    assert torch.equal(block.u, u)


def test_a_saved_block_loads_its_lazily_shaped_vector():
    block = CPLConv(2, 3)
    block(torch.randn(1, 2, 5, 5))
    fresh = CPLConv(2, 3)
    fresh.load_state_dict(block.state_dict())
    assert torch.equal(fresh.u, block.u)


def test_blocks_start_as_pytorchs_default_layers_as_in_the_source():
    """Kaiming-uniform with a = √5 and the bias from U(±1/√fan_in): both bounded by 1/√fan_in, and filling it."""
    block = CPLConv(40, 30)
    bound = 1 / (40 * 9) ** 0.5
    for tensor in (block.weight, block.bias):
        assert bound * 0.9 < tensor.abs().max().item() <= bound
    assert block.weight.std().item() == pytest.approx(bound / 3**0.5, rel=0.03)  # a uniform's std


def test_the_first_call_warms_the_vector_up():
    """15 steps from a random vector, as ganlip's spectral normalization, where the source starts from the random
    vector itself (about 20% low on a 64x64 weight after its one step)."""
    errors = []
    for seed in range(10):
        torch.manual_seed(seed)
        block = CPLDense(64, 64).double()
        estimate = block.norm(torch.zeros(1, 64, dtype=torch.float64)).item()
        errors.append(1 - estimate / torch.linalg.matrix_norm(block.weight, 2).item())
    assert sorted(errors)[5] < 0.05
