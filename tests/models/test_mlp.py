import torch

from ganlip.models import build_model


def test_shapes_and_wgan_gp_toy_sizes():
    generator, critic = build_model("mlp", (2,))
    assert generator.latent_dim == 2
    linears = [m for m in critic.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linears] == [512, 512, 512, 1]  # gan_toy.py: DIM = 512, 3 ReLU layers
    points = generator(torch.randn(7, 2))
    assert points.shape == (7, 2)
    assert critic(points).shape == (7,)
