"""What a run says as it starts: the precision it trains in, what its strategy's recipe changed, settings that do
nothing, how the CPU's cores are shared."""

from __future__ import annotations

import os

import torch

from ganlip.config import Config
from ganlip.devices import native_bf16
from ganlip.resolution import WGAN_TRAINING, recipe_comments


def recipe_note(config: Config) -> list[str]:
    """What the strategy's recipe changed in WGAN's training (loss, critic steps), said as the run starts."""
    comments = recipe_comments(config)
    changed = [f"{key}={getattr(config, key)}" for key in WGAN_TRAINING if key in comments]
    if not changed:
        return []
    return [f"Training as {comments[next(iter(comments))]}: {', '.join(changed)}; --set KEY=VALUE overrides."]


def idle_scoring_note(config: Config) -> list[str]:
    """Scoring settings a run without `score_every` would silently ignore, said as it starts."""
    defaults = Config()
    idle = [
        f"{key}={getattr(config, key) if key == 'features' else ','.join(getattr(config, key))}"
        for key in ("features", "score_metrics")
        if getattr(config, key) != getattr(defaults, key)
    ]
    if config.score_every or not idle:
        return []
    return [f"{' and '.join(idle)} do nothing while score_every is 0; set --set score_every=N to score every N steps."]


def precision_note(amp: str, device: torch.device) -> str:
    native, why = native_bf16(device)
    if amp == "bf16":
        return f"Precision: bf16 autocast ({why if native else 'amp=bf16'}); --set amp=off trains in float32."
    return f"Precision: float32 ({'amp=off' if native else why})."


def cores_note(device: torch.device) -> list[str]:
    """How the CPU's cores are shared, when several processes of this run share them."""
    processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    if device.type != "cpu" or processes == 1:
        return []
    return [f"{torch.get_num_threads()} threads per process: {processes} processes share this machine's cores."]
