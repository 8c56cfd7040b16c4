"""CriticUpdate: the README's own-loop recipe makes the critic updates `ganlip train` makes, to the bit."""

import torch

from ganlip.critic_update import CriticUpdate
from ganlip.resolution import resolve
from ganlip.setup import build_run
from ganlip.train import critic_step
from tests.conftest import tiny_config


def test_the_readme_loop_updates_the_critic_as_ganlip_train_does(tmp_path):
    """sn+gp:every=2: spectral norm's power iteration once per step (cached) and a lazy penalty due on every
    other step, the two things a hand-written `loss + constraint.penalty(...)` gets wrong."""
    config = resolve(tiny_config(tmp_path, "8gaussians", constraint="sn+gp:every=2", amp="off"))
    trained, own = build_run(config), build_run(config)  # the same seed: the same initial weights
    update = CriticUpdate(own.constraint, own.critic, own.optimizer_d)
    real = torch.randn(5, config.batch_size, 2, generator=torch.Generator().manual_seed(1))
    for batch in real:
        torch.manual_seed(7)
        critic_step(trained, batch)
        torch.manual_seed(7)
        with torch.no_grad():
            fake = own.generator(torch.randn(len(batch), config.latent_dim))
        stats = update(batch, fake)
    assert stats["penalty"] > 0  # the fifth step (index 4) is one of gp's
    assert update.critic_steps == trained.critic_steps == 5
    for (name, mine), theirs in zip(own.critic.state_dict().items(), trained.critic.state_dict().values(), strict=True):
        assert torch.equal(mine, theirs), name  # weights, spectral norm's u and v
