import math

import pytest
import torch

from ganlip.constraints import build
from ganlip.errors import GanlipError
from ganlip.gradients import input_gradient_norms
from ganlip.metrics.spectra import lipschitz_upper_bound, spectra
from tests.conftest import LinearCritic, conv_critic, mlp_critic


@pytest.mark.parametrize(("make", "shape"), [(mlp_critic, (2,)), (conv_critic, (3, 8, 8))])
def test_the_normalized_critic_has_gradient_norm_at_most_1_and_values_in_minus_1_1(make, shape):
    critic = build("gn").attach(make().double())
    x = torch.randn(256, *shape, dtype=torch.float64) * 3
    assert critic(x).abs().max() <= 1
    norms = input_gradient_norms(critic, x)
    assert norms.max() <= 1 + 1e-9 and norms.max() > 0.05


def test_on_a_linear_critic_it_is_the_closed_form():
    """f(x) = a·x: f̂ = a·x / (‖a‖ + |a·x|) and ‖∇f̂‖ = ‖a‖² / (‖a‖ + |a·x|)²."""
    a = torch.tensor([3.0, 4.0], dtype=torch.float64)
    critic = build("gn").attach(LinearCritic(a))
    x = torch.randn(16, 2, dtype=torch.float64)
    f = x @ a
    assert torch.allclose(critic(x), f / (5 + f.abs()))
    assert torch.allclose(input_gradient_norms(critic, x), 25 / (5 + f.abs()) ** 2)


def test_training_differentiates_through_the_normalization():
    """The weights' gradient of mean f̂ equals the one of the formula written out with a double backward."""
    critic = build("gn").attach(mlp_critic().double())
    x = torch.randn(16, 2, dtype=torch.float64)
    critic(x).mean().backward()
    ours = [p.grad.clone() for p in critic.parameters()]
    critic.zero_grad()
    inputs = x.clone().requires_grad_(True)
    f = critic.critic(inputs)
    (gradient,) = torch.autograd.grad(f.sum(), inputs, create_graph=True)
    (f / (gradient.norm(dim=1) + f.abs())).mean().backward()
    for mine, reference in zip(ours, (p.grad for p in critic.parameters()), strict=True):
        torch.testing.assert_close(mine, reference, rtol=1e-10, atol=1e-12)
    assert ours[0].abs().sum() > 0


def test_it_composes_around_a_weight_normalization_and_has_no_layer_bound():
    critic = build("sn+gn").attach(conv_critic().double())
    assert hasattr(critic.critic[0], "parametrizations")  # sn on the layers, gn around the whole critic
    inner = lipschitz_upper_bound(spectra(critic.critic, (3, 8, 8)), critic.critic)
    assert math.isfinite(inner) and math.isnan(lipschitz_upper_bound(spectra(critic, (3, 8, 8)), critic))
    with torch.no_grad():  # no graph recorded, and still the normalized value
        assert critic(torch.randn(4, 3, 8, 8, dtype=torch.float64)).abs().max() <= 1


def test_per_sample_parameter_gradients_are_refused_with_it_and_the_batch_mean_form_composes():
    with pytest.raises(
        GanlipError, match=r"pgp takes per-sample gradients with torch.func.*use pgp:per_sample=false with gn"
    ):
        build("gn+pgp")
    build("gn+pgp:per_sample=false")


def test_a_batch_by_1_head_keeps_its_shape_and_the_gradient_bound():
    """The usual `nn.Linear(n, 1)` head: one normalized score per sample, never a (B, B) broadcast."""
    critic = build("gn").attach(
        torch.nn.Sequential(torch.nn.Linear(4, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)).double()
    )
    x = torch.randn(8, 4, dtype=torch.float64) * 3
    assert critic(x).shape == (8, 1)
    assert input_gradient_norms(critic, x).max() <= 1 + 1e-9
