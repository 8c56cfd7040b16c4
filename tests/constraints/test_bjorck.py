import pytest
import torch
from torch import nn

from ganlip.constraints import build
from ganlip.constraints.bjorck import bjorck
from ganlip.errors import GanlipError
from ganlip.gradients import input_gradient_norms
from ganlip.models import build_model
from ganlip.models.activations import GroupSort


@pytest.mark.parametrize("shape", [(8, 8), (12, 5), (5, 12)])
def test_enough_iterations_orthonormalize(shape):
    matrix = torch.randn(*shape, dtype=torch.float64)
    q = bjorck(matrix, beta=0.5, n_iter=60)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T  # WᵀW = I when tall, W Wᵀ = I when wide
    assert torch.allclose(gram, torch.eye(min(shape), dtype=torch.float64), atol=1e-3)
    u, _, vh = torch.linalg.svd(matrix, full_matrices=False)
    assert torch.allclose(q, u @ vh, atol=1e-3)  # the nearest orthonormal matrix (polar factor)


@pytest.mark.parametrize("n_iter", [1, 3, 20])
def test_every_layer_is_1_lipschitz_after_any_number_of_iterations(n_iter):
    critic = build(f"bjorck:n_iter={n_iter}").attach(
        nn.Sequential(nn.Linear(6, 40), nn.ReLU(), nn.Conv1d(4, 8, 3), nn.Linear(40, 1)).double()
    )
    for layer in (critic[0], critic[2], critic[3]):
        assert torch.linalg.matrix_norm(layer.weight.flatten(1), ord=2) <= 1 + 1e-12


def test_with_groupsort_a_critic_of_square_layers_preserves_gradient_norms():
    critic = nn.Sequential(nn.Linear(8, 8), GroupSort(), nn.Linear(8, 8), GroupSort(), nn.Linear(8, 1), nn.Flatten(0))
    critic = build("bjorck:n_iter=60").attach(critic.double())
    norms = input_gradient_norms(critic, torch.randn(256, 8, dtype=torch.float64) * 3)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-3)
    relu = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1), nn.Flatten(0))
    relu = build("bjorck:n_iter=60").attach(relu.double())
    assert input_gradient_norms(relu, torch.randn(256, 8, dtype=torch.float64)).mean() < 0.9  # ReLU loses norm


def test_the_toy_critic_with_groupsort_keeps_gradient_norms_at_most_1():
    _, critic = build_model("mlp", (2,), width=32, critic_activation="groupsort")
    critic = build("bjorck:n_iter=40").attach(critic.double())
    norms = input_gradient_norms(critic, torch.randn(256, 2, dtype=torch.float64))
    assert norms.max() <= 1 + 1e-6  # 2 → 32 narrows: at most 1, not equal to 1


def test_bad_parameters_are_refused():
    with pytest.raises(GanlipError, match="bjorck: mode must be one of matrix, operator"):
        build("bjorck:mode=conv")
    with pytest.raises(GanlipError, match=r"bjorck: beta must be in \(0, 0.5\]"):
        build("bjorck:beta=0.9")
    with pytest.raises(GanlipError, match="bjorck: n_iter must be at least 1"):
        build("bjorck:n_iter=0")


@pytest.mark.parametrize("shape", [(64, 9), (9, 64)])
def test_a_long_matrix_takes_the_small_gram_route_to_the_same_result(shape):
    matrix = torch.randn(*shape, dtype=torch.float64)
    a = matrix if shape[0] > shape[1] else matrix.T
    a = a / (a.abs().sum(0).max() * a.abs().sum(1).max()).sqrt()
    for _ in range(7):  # the plain first-order steps on the full matrix
        a = 1.5 * a - 0.5 * a @ (a.T @ a)
    expected = a if shape[0] > shape[1] else a.T
    assert torch.allclose(bjorck(matrix, beta=0.5, n_iter=7), expected, atol=1e-12)


def dense_norm(layer: nn.Module, shape: tuple[int, ...]) -> float:
    """The layer's largest singular value as a map on inputs of `shape`, from its dense Jacobian."""
    jacobian = torch.autograd.functional.jacobian(lambda x: layer(x[None]).flatten(), torch.zeros(shape).double())
    return torch.linalg.svdvals(jacobian.reshape(jacobian.shape[0], -1))[0].item()


def test_an_orthonormalized_convolution_is_not_1_lipschitz_and_operator_mode_makes_it_so():
    """The reshaped matrix is orthogonal, but a 4x4 stride-2 convolution covers each interior pixel 4 times, so
    `AᵀA` is the diagonal of those counts and the norm is exactly 2. `mode=operator` divides by the convolution's
    own norm: 1, and the critic's gradient norm at most 1."""

    def critic() -> nn.Module:
        torch.manual_seed(0)
        return nn.Sequential(
            nn.Conv2d(2, 32, 4, stride=2, padding=1, bias=False), nn.Flatten(), nn.Linear(32 * 8 * 8, 1), nn.Flatten(0)
        ).double()

    matrix, operator = build("bjorck").attach(critic()), build("bjorck:mode=operator").attach(critic())
    shape, x = (2, 16, 16), torch.randn(16, 2, 16, 16, dtype=torch.float64)
    for _ in range(30):  # training-mode forwards advance the operator mode's power iteration
        operator(x)
    matrix.eval(), operator.eval()
    assert torch.linalg.matrix_norm(matrix[0].weight.flatten(1), ord=2).item() == pytest.approx(1, abs=1e-3)
    assert dense_norm(matrix[0], shape) == pytest.approx(2, abs=1e-3)
    assert dense_norm(operator[0], shape) == pytest.approx(1, abs=1e-3)
    jacobian = torch.autograd.functional.jacobian(lambda v: matrix[0](v[None]).flatten(), torch.zeros(shape).double())
    top = torch.linalg.svd(jacobian.reshape(jacobian.shape[0], -1))[0][:, 0]  # the direction the conv stretches by 2
    with torch.no_grad():  # a (normalized) Linear head reading that direction: D's gradient is the conv's Aᵀv
        for critic in (matrix, operator):
            critic[2].parametrizations.weight.original.copy_(top[None])
    assert input_gradient_norms(matrix, x) == pytest.approx(torch.full((16,), 2.0, dtype=torch.float64), abs=1e-3)
    assert input_gradient_norms(operator, x).max() <= 1 + 1e-3
