import dataclasses

import torch
from torch import nn

from ganlip.config import Config
from ganlip.models import available_models, family
from ganlip.models.registry import SIZE_KEYS
from ganlip.resolution import resolve
from ganlip.setup import build_run
from tests.conftest import tiny_config


def test_every_model_size_can_be_set_from_the_config():
    fields = {f.name for f in dataclasses.fields(Config)}
    assert set(SIZE_KEYS) <= fields
    for name in available_models():
        assert set(family(name).sizes) <= set(SIZE_KEYS), name


def test_the_mlps_depth_is_set_from_the_config(tmp_path):
    def hidden(network):
        return sum(isinstance(layer, nn.Linear) for layer in network.modules()) - 1

    assert resolve(tiny_config(tmp_path, "8gaussians")).depth == 3  # gan_toy.py's
    run = build_run(resolve(tiny_config(tmp_path, "8gaussians", depth=1)))
    assert hidden(run.generator) == hidden(run.critic) == 1
    assert run.critic(torch.zeros(3, 2)).shape == (3,)
