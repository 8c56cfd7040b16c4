"""What a config describes, built in one place for every tool that needs it: the networks (`ganlip train`'s setup
and `restore` alike, as stylegan2-ada's one `load_network_pkl` serves every tool) and the data set."""

from __future__ import annotations

from torch import nn
from torch.utils.data import Dataset

from ganlip.config import Config
from ganlip.constraints import Constraint, build
from ganlip.data import load_data
from ganlip.models import build_critic, build_model, sizes_from


def build_networks(config: Config, data_shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module, Constraint]:
    """The generator, the critic with the config's strategy attached, and the strategy, untrained; `config` is
    resolved (`ganlip.resolution.resolve`), so that its architecture and sizes are named."""
    if config.arch is None:
        raise ValueError("build_networks needs a resolved config: pass it through ganlip.resolution.resolve first")
    generator, critic = build_model(config.arch, data_shape, **sizes_from(config.to_dict()))
    constraint = build(config.constraint)
    if constraint.critic is not None:  # a strategy that is a critic of its own (sll, cpl) replaces the arch's
        critic = build_critic(constraint.critic, data_shape)
    return generator, constraint.attach(critic), constraint


def dataset_for(config: Config) -> Dataset:
    """The data set a run trains on: its name, root, resolution, split, download setting and seed (a toy's points
    are drawn from the seed)."""
    return load_data(config.data, config.data_root, config.resolution, config.split, config.download, config.seed)
