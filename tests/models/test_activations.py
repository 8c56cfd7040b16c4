import pytest
import torch
from torch import nn

from ganlip.models.activations import GroupSort, LeakyReLU, ReLU


def critic(activation) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 8, 4, 2, 1), activation(), nn.Conv2d(8, 16, 4, 2, 1), activation(), nn.Conv2d(16, 1, 2)
    ).double()


def penalty_gradients(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """WGAN-GP's penalty differentiated with respect to the weights and the input: a double backward."""
    x = x.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(model(x).sum(), x, create_graph=True)
    penalty = ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()
    return torch.autograd.grad(penalty, [*model.parameters(), x], materialize_grads=True)  # last bias: 0


@pytest.mark.parametrize(("ours", "theirs"), [(lambda: LeakyReLU(0.2), lambda: nn.LeakyReLU(0.2)), (ReLU, nn.ReLU)])
def test_values_gradients_and_double_backward_equal_torchs(ours, theirs):
    a, b = critic(ours), critic(theirs)
    b.load_state_dict(a.state_dict())
    x = torch.randn(6, 3, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(a(x), b(x), rtol=0, atol=0)
    for mine, reference in zip(penalty_gradients(a, x), penalty_gradients(b, x), strict=True):
        torch.testing.assert_close(mine, reference, rtol=1e-12, atol=1e-14)


def test_slope_at_zero_is_the_negative_sides_as_in_torch():
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    LeakyReLU(0.2)(x).sum().backward()
    assert x.grad.tolist() == pytest.approx([0.2, 0.2, 1.0])
    assert torch.autograd.gradcheck(
        lambda t: LeakyReLU(0.2)(t), torch.tensor([-1.5, 0.5], dtype=torch.float64, requires_grad=True)
    )
    assert torch.autograd.gradgradcheck(
        lambda t: LeakyReLU(0.2)(t) ** 2, torch.tensor([-1.5, 0.5], dtype=torch.float64, requires_grad=True)
    )


@pytest.mark.parametrize(("activation", "reaches"), [(LeakyReLU(0.2), False), (nn.LeakyReLU(0.2), True)])
def test_the_penalty_double_backward_stops_at_our_activation(activation, reaches):
    """torch's activation sends zeros back into the forward pass (a wasted convolution backward per layer)."""
    first, second = nn.Conv2d(3, 4, 3), nn.Conv2d(4, 1, 3)
    x = torch.randn(2, 3, 6, 6, requires_grad=True)
    pre_activation = first(x)
    (gradient,) = torch.autograd.grad(second(activation(pre_activation)).sum(), x, create_graph=True)
    received = []
    pre_activation.register_hook(received.append)
    gradient.square().sum().backward(inputs=list(first.parameters()) + list(second.parameters()))
    arrived = [g for g in received if g is not None]
    assert (arrived != []) == reaches
    assert all(not g.any() for g in arrived)  # and what torch's sends is zeros


@pytest.mark.parametrize(("ours", "theirs"), [(lambda: LeakyReLU(0.2), lambda: nn.LeakyReLU(0.2)), (ReLU, nn.ReLU)])
def test_penalty_only_gradients_leave_hidden_biases_out_of_the_graph(ours, theirs):
    """The contract (see ganlip/models/activations.py): a penalty on the input gradient does not reach the
    parameters that only shape the slope pattern, the hidden biases, so plain `autograd.grad` refuses them;
    with `materialize_grads=True` (or `allow_unused=True` and None read as 0) they get torch's zeros."""
    a, b = critic(ours), critic(theirs)
    b.load_state_dict(a.state_dict())
    x = torch.randn(4, 3, 8, 8, dtype=torch.float64, requires_grad=True)

    def penalty(model):
        (gradient,) = torch.autograd.grad(model(x).sum(), x, create_graph=True)
        return gradient.square().sum()

    hidden_bias = a[0].bias
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        torch.autograd.grad(penalty(a), [hidden_bias])
    (absent,) = torch.autograd.grad(penalty(a), [hidden_bias], allow_unused=True)
    (zeros,) = torch.autograd.grad(penalty(b), [b[0].bias])
    assert absent is None and not zeros.any()


def test_groupsort_sorts_each_pair_and_keeps_gradient_norms():
    x = torch.tensor([[3.0, -1.0, 0.5, 2.0], [-2.0, -4.0, 1.0, 1.5]], dtype=torch.float64, requires_grad=True)
    y = GroupSort()(x)
    assert y.tolist() == [[3.0, -1.0, 2.0, 0.5], [-2.0, -4.0, 1.5, 1.0]]  # (max, min) of each pair
    upstream = torch.randn(2, 4, dtype=torch.float64)
    (gradient,) = torch.autograd.grad(y, x, upstream)
    assert torch.allclose(gradient.norm(dim=1), upstream.norm(dim=1))  # a permutation: norms kept
    images = torch.randn(3, 6, 5, 5)  # pairs along the channels of a feature map
    assert torch.equal(GroupSort()(images).sort(dim=1).values, images.sort(dim=1).values)


@pytest.mark.parametrize(("arch", "shape", "width"), [("mlp", (2,), 16), ("dcgan", (1, 32, 32), 8)])
def test_critic_activation_groupsort_replaces_every_critic_activation(arch, shape, width):
    from ganlip.models import build_model

    generator, critic = build_model(arch, shape, width=width, critic_activation="groupsort")
    kinds = {type(m) for m in critic.modules() if not list(m.children()) and not m._parameters}
    assert GroupSort in kinds and not kinds & {LeakyReLU, ReLU, nn.ReLU, nn.LeakyReLU}
    assert not any(isinstance(m, GroupSort) for m in generator.modules())
    assert critic(torch.randn(4, *shape)).shape == (4,)


def test_critics_refuse_what_breaks_groupsorts_property():
    from ganlip.errors import GanlipError
    from ganlip.models import build_model

    with pytest.raises(GanlipError, match=r"no size 'critic_activation' \(only dcgan, mlp\)"):
        build_model("resnet", (3, 32, 32), critic_activation="groupsort")  # ReLU inside residual blocks
    with pytest.raises(GanlipError, match="width 15 is odd"):
        build_model("mlp", (2,), width=15, critic_activation="groupsort")
    with pytest.raises(GanlipError, match=r"critic_activation must be relu .* or groupsort, got 'tanh'"):
        build_model("mlp", (2,), critic_activation="tanh")
