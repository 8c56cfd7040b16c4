import torch

from ganlip.constraints import build
from tests.conftest import conv_critic


def test_after_step_puts_every_parameter_in_the_box_and_leaves_inner_values_alone():
    critic = conv_critic()
    with torch.no_grad():
        for parameter in critic.parameters():
            parameter.normal_(std=0.05)
    before = [p.detach().clone() for p in critic.parameters()]
    build("clip:c=0.03").after_step(critic)
    for old, new in zip(before, critic.parameters(), strict=True):
        assert new.abs().max() <= 0.03
        inside = old.abs() <= 0.03
        assert torch.equal(new[inside], old[inside])
        assert torch.equal(new[~inside], 0.03 * old[~inside].sign())


def test_default_is_the_wgan_paper_recipe():
    clip = build("clip")
    assert clip.c == 0.01
    assert (clip.recipe.name, clip.recipe.lr) == ("rmsprop", 5e-5)


def test_clip_adds_no_penalty():
    assert build("clip").penalty(conv_critic(), torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8)).item() == 0.0


def test_biases_false_clamps_the_weights_only_as_the_w1_benchmarks_code():
    critic = conv_critic()
    with torch.no_grad():
        for parameter in critic.parameters():
            parameter.normal_(std=0.05)
    before = {name: p.detach().clone() for name, p in critic.named_parameters()}
    build("clip:c=0.03,biases=false").after_step(critic)
    biases = [name for name in before if name.endswith("bias")]
    assert biases and all(before[name].abs().max() > 0.03 for name in biases)
    for name, parameter in critic.named_parameters():
        expected = before[name] if name.endswith("bias") else before[name].clamp(-0.03, 0.03)
        assert torch.equal(parameter, expected)
