import itertools

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from ganlip.constraints import Trait, build
from ganlip.models.activations import LeakyReLU


def relu_mlp(widths: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers, nn.Flatten(0)).double()


def lower_bound(critic: nn.Sequential, x: torch.Tensor) -> float:
    """docs/strategies.md: ‖∇_x f‖² Σ_t (1 + ‖h_t‖²) / (‖W_t‖₂² ‖∇_x h_t‖₂²), h_t the input of linear layer t."""
    total = 0.0
    for index, layer in enumerate(critic):
        if not isinstance(layer, nn.Linear):
            continue
        prefix = critic[:index]  # maps x to h_t (the identity for the first layer)
        h = prefix(x[0])
        jacobian = torch.autograd.functional.jacobian(prefix, x[0])
        total += (1 + h.norm() ** 2) / (
            torch.linalg.matrix_norm(layer.weight, ord=2) ** 2 * torch.linalg.matrix_norm(jacobian, ord=2) ** 2
        )
    input_gradient = torch.autograd.functional.jacobian(lambda v: critic(v[None]).sum(), x[0])
    return (input_gradient.norm() ** 2 * total).item()


def test_parameter_gradient_bounds_the_input_gradient_on_random_relu_mlps():
    torch.manual_seed(0)
    for trial in range(20):
        critic = relu_mlp([4, 16, 16, 1] if trial % 2 else [3, 8, 1])
        x = torch.randn(1, critic[0].in_features, dtype=torch.float64)
        penalty = build("pgp:weight=1,at=real").penalty(critic, x, x)
        assert lower_bound(critic, x) <= penalty.item() * (1 + 1e-9)


def test_batch_mean_form_is_the_squared_gradient_of_the_mean_score():
    critic = relu_mlp([2, 8, 1])
    x = torch.randn(5, 2, dtype=torch.float64)
    gradients = torch.autograd.grad(critic(x).mean(), list(critic.parameters()))
    expected = sum(g.square().sum() for g in gradients)
    assert torch.allclose(build("pgp:weight=1,at=real,per_sample=false").penalty(critic, x, x), expected)


def small_conv_critic() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), LeakyReLU(0.2), nn.Flatten(), nn.Linear(64, 8), LeakyReLU(0.2), nn.Linear(8, 1)
    )


def looped_penalty(critic: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The mean over samples of `‖∇_θ D(x_i)‖²`, one autograd call per sample: the definition, written plainly."""
    parameters = list(critic.parameters())
    total = x.new_zeros(())
    for sample in x:
        gradients = torch.autograd.grad(critic(sample[None]).sum(), parameters, create_graph=True)
        total = total + sum(g.square().sum() for g in gradients)
    return total / len(x)


@pytest.mark.parametrize("spec", ["pgp", "sn+pgp", "ws+sn:mode=operator+pgp"])
def test_per_sample_form_matches_a_loop_over_samples_in_value_and_gradient(spec):
    """As the trainer calls it: inside `parametrize.cached()`, after the step's forward advanced sn's `u`."""
    torch.manual_seed(0)
    strategy = build(spec.replace("pgp", "pgp:weight=1,at=real"))
    critic = strategy.attach(small_conv_critic())
    x = torch.randn(6, 1, 4, 4)
    critic(x)  # sn's operator mode learns the input shape
    parameters = list(critic.parameters())
    with parametrize.cached():
        critic(x)
        penalty = strategy.penalty(critic, x, x)
    gradient = torch.autograd.grad(penalty, parameters, materialize_grads=True)
    critic.eval()  # the same u, no further power iteration
    expected = looped_penalty(critic, x)
    expected_gradient = torch.autograd.grad(expected, parameters, materialize_grads=True)
    assert critic.training is False and torch.allclose(penalty, expected, rtol=1e-5)
    for got, want in zip(gradient, expected_gradient, strict=True):
        assert torch.allclose(got, want, rtol=1e-4, atol=1e-6)


def test_per_sample_form_bounds_the_batch_mean_form_and_equals_it_for_one_sample():
    """Jensen: ‖E g_i‖² <= E ‖g_i‖², equal when all g_i are one (a batch of one); here the batch mean is 0.84 of it."""
    torch.manual_seed(1)
    critic = relu_mlp([2, 16, 16, 1])
    x = torch.randn(32, 2, dtype=torch.float64)
    per_sample, batch_mean = (build(f"pgp:weight=1,at=real,per_sample={flag}") for flag in ("true", "false"))
    assert batch_mean.penalty(critic, x, x) < 0.9 * per_sample.penalty(critic, x, x)
    assert torch.allclose(batch_mean.penalty(critic, x[:1], x[:1]), per_sample.penalty(critic, x[:1], x[:1]))


def test_only_the_batch_mean_form_is_coupled_across_a_batch():
    assert Trait.BATCH_COUPLED not in build("pgp").traits
    assert Trait.BATCH_COUPLED in build("pgp:per_sample=false").traits
    assert Trait.BATCH_COUPLED in build("sn+pgp:per_sample=false").traits


def test_both_forms_equal_the_closed_form_of_a_one_hidden_layer_critic():
    """`D(x) = vᵀ relu(Wx + b) + c`: `∇_W D = (v ⊙ m) xᵀ`, `∇_b D = v ⊙ m`, `∇_v D = relu(Wx + b)`, `∇_c D = 1`,
    with `m` the active units; so `‖∇_θ D(x)‖² = ‖v ⊙ m‖² (‖x‖² + 1) + ‖relu(Wx + b)‖² + 1`, no autograd."""
    torch.manual_seed(2)
    critic = relu_mlp([3, 6, 1])
    x = torch.randn(9, 3, dtype=torch.float64)
    weight, bias, v = critic[0].weight.detach(), critic[0].bias.detach(), critic[2].weight.detach()[0]
    hidden = x @ weight.T + bias
    active_v = v * (hidden > 0)
    per_sample = active_v.square().sum(1) * (x.square().sum(1) + 1) + hidden.clamp_min(0).square().sum(1) + 1
    mean_gradients = [
        (active_v[:, :, None] * x[:, None, :]).mean(0),  # ∇_W of the batch mean
        active_v.mean(0),
        hidden.clamp_min(0).mean(0),
        torch.ones((), dtype=torch.float64),
    ]
    batch_mean = sum(g.square().sum() for g in mean_gradients)
    got = build("pgp:weight=1,at=real").penalty(critic, x, x)
    assert torch.allclose(got, per_sample.mean())
    assert torch.allclose(build("pgp:weight=1,at=real,per_sample=false").penalty(critic, x, x), batch_mean)
