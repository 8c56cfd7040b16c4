import torch

from ganlip.constraints import build
from tests.conftest import conv_critic


def test_layers_above_c_land_on_the_ball_and_the_rest_are_untouched():
    critic = conv_critic()
    with torch.no_grad():
        critic[0].weight.mul_(100)
        critic[5].weight.mul_(1e-3)
    small_before = critic[5].weight.detach().clone()
    big_before = critic[0].weight.detach().clone()
    build("fclip:c=2").after_step(critic)
    assert (
        torch.linalg.vector_norm(critic[0].weight).item() == torch.tensor(2.0).item()
        or abs(torch.linalg.vector_norm(critic[0].weight).item() - 2) < 1e-5
    )
    assert torch.allclose(critic[0].weight, big_before * 2 / torch.linalg.vector_norm(big_before))
    assert torch.equal(critic[5].weight, small_before)


def test_reparametrized_layers_clip_their_raw_weight():
    critic = conv_critic()
    build("fclip:c=0.5+sn").attach(critic)
    raw = critic[0].parametrizations.weight.original
    with torch.no_grad():
        raw.mul_(50)
    build("fclip:c=0.5").after_step(critic)
    assert abs(torch.linalg.vector_norm(raw).item() - 0.5) < 1e-5
