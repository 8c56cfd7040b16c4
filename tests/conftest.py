import subprocess
import sys

import pytest
import torch
from torch import nn


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _no_inception_download(monkeypatch):
    """No test downloads the real Inception weights: a missing file is looked for at a host that cannot
    exist (the .invalid domain), as on a machine without internet. Tests of the download serve their own."""
    monkeypatch.setenv("GANLIP_INCEPTION_URL", "http://weights.invalid/pt_inception.pth")


def conv_critic(channels: int = 3, width: int = 8) -> nn.Module:
    """A tiny conv critic (no batch norm) for 8x8 images."""
    return nn.Sequential(
        nn.Conv2d(channels, width, 3, 2, 1),
        nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 3, 2, 1),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(2 * width * 4, 1),
        nn.Flatten(0),
    )


def mlp_critic(n_in: int = 2, width: int = 16) -> nn.Module:
    return nn.Sequential(
        nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 1), nn.Flatten(0)
    )


class LinearCritic(nn.Module):
    """D(x) = a·x: its input gradient is `a` everywhere (the closed form for gradient penalties)."""

    def __init__(self, a: torch.Tensor):
        super().__init__()
        self.a = nn.Parameter(a.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1) @ self.a


def tiny_config(tmp_path, data: str = "digits", **changes):
    """A run small enough for a unit test: a few steps of a narrow model."""
    from ganlip.config import Config

    values = dict(
        data=data,
        width=4 if data == "digits" else 16,
        latent_dim=8,
        steps=4,
        n_critic=2,
        critic_schedule="constant",  # not clip's WGAN schedule of 100 critic steps for the first 25 steps
        batch_size=16,
        log_every=2,
        sample_every=2,
        checkpoint_every=2,
        measure_every=2,
        measure_samples=64,
        n_samples=16,
        device="cpu",
        amp="off",  # float32: tests compare exact values and bit-identical resumes (test_precision.py tests bf16)
        out=str(tmp_path / "run"),
    )
    return Config(**{**values, **changes})


def run_program_without_ganlip(program, inputs: tuple, folder) -> torch.Tensor:
    """The output of a torch.export program on `inputs`, run in a fresh Python where importing ganlip fails."""
    torch.save(inputs, folder / "inputs.pt")
    script = (
        "import sys; sys.modules['ganlip'] = None\n"  # any import of ganlip would now fail
        "import torch\n"
        f"g = torch.export.load({str(program)!r}).module()\n"
        f"torch.save(g(*torch.load({str(folder / 'inputs.pt')!r})), {str(folder / 'out.pt')!r})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=folder)
    return torch.load(folder / "out.pt")
