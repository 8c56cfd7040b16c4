"""Where a run's numbers and pictures go beside metrics.jsonl (which stays the record): TensorBoard, and on request
Weights & Biases and MLflow (`--set loggers=tensorboard,wandb,mlflow`). Each sink writes locally unless the user
points it elsewhere: W&B runs offline (sync later with `wandb sync RUN/wandb`) unless `wandb_mode=online` or
`WANDB_MODE` says otherwise, and MLflow writes a file store in the run directory unless `mlflow_tracking_uri` names
a server. A resumed run continues the same W&B and MLflow run (their ids are kept in the run directory)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from torch import Tensor

from ganlip.atomic import write_text
from ganlip.config import Config

WANDB_ID, MLFLOW_ID = "wandb_run_id", "mlflow_run_id"


class Sink(Protocol):
    def scalars(self, step: int, values: dict[str, float]) -> None: ...

    def picture(self, tag: str, picture: Any, step: int) -> None: ...

    def close(self) -> None: ...


def open_sinks(config: Config, run_dir: Path, start_step: int) -> list[Sink]:
    """The sinks `config.loggers` names (checked by `config.validate`), opened for a run starting at `start_step`."""
    makers: dict[str, Callable[[Config, Path, int], Sink]] = {
        "tensorboard": TensorBoardSink,
        "wandb": WandbSink,
        "mlflow": MlflowSink,
    }
    return [makers[name](config, run_dir, start_step) for name in config.loggers]


def as_image(picture: Any) -> np.ndarray | Any:
    """A sample grid (CHW tensor in [0, 1]) as an HWC uint8 array; a matplotlib figure as it is."""
    if isinstance(picture, Tensor):
        return (picture.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255).round().astype(np.uint8)
    return picture


class TensorBoardSink:
    def __init__(self, config: Config, run_dir: Path, start_step: int):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(str(run_dir / "tb"), purge_step=start_step + 1 if start_step else None)

    def scalars(self, step: int, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, step)

    def picture(self, tag: str, picture: Any, step: int) -> None:
        if isinstance(picture, Tensor):
            self.writer.add_image(tag, picture, step)
        else:
            self.writer.add_figure(tag, picture, step, close=False)

    def close(self) -> None:
        self.writer.close()


def wandb_mode(config: Config) -> str:
    """The config's `wandb_mode`, else `WANDB_MODE`, else offline: W&B reaches the network only when asked to."""
    return config.wandb_mode or os.environ.get("WANDB_MODE") or "offline"


class WandbSink:
    def __init__(self, config: Config, run_dir: Path, start_step: int):
        import wandb

        kept = run_dir / WANDB_ID
        run_id = kept.read_text().strip() if kept.is_file() else uuid.uuid4().hex[:8]
        write_text(kept, run_id)
        mode: Any = wandb_mode(config)
        self.run = wandb.init(
            project=config.wandb_project or "ganlip",
            name=run_dir.name,
            id=run_id,
            resume="allow",
            dir=str(run_dir),
            config=config.to_dict(),
            mode=mode,
        )
        self.image = wandb.Image

    def scalars(self, step: int, values: dict[str, float]) -> None:
        self.run.log(values, step=step)

    def picture(self, tag: str, picture: Any, step: int) -> None:
        self.run.log({tag: self.image(as_image(picture))}, step=step)

    def close(self) -> None:
        self.run.finish()


class MlflowSink:
    def __init__(self, config: Config, run_dir: Path, start_step: int):
        import mlflow

        uri = config.mlflow_tracking_uri
        if uri is None:  # a file store of its own; MLflow 3 asks for this opt-in to its file backend
            uri = (run_dir / "mlruns").resolve().as_uri()
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        self.client = mlflow.MlflowClient(uri)
        kept = run_dir / MLFLOW_ID
        if kept.is_file():
            self.run_id = kept.read_text().strip()
        else:
            experiment = self.client.get_experiment_by_name(config.mlflow_experiment)
            experiment_id = (
                experiment.experiment_id if experiment else self.client.create_experiment(config.mlflow_experiment)
            )
            self.run_id = self.client.create_run(experiment_id, run_name=run_dir.name).info.run_id
            write_text(kept, self.run_id)
            for key, value in config.to_dict().items():
                self.client.log_param(self.run_id, key, value)
        self.client.update_run(self.run_id, "RUNNING")

    def scalars(self, step: int, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.client.log_metric(self.run_id, key, value, step=step)

    def picture(self, tag: str, picture: Any, step: int) -> None:
        image = as_image(picture)
        if isinstance(image, np.ndarray):
            self.client.log_image(self.run_id, image, f"{tag}/step_{step:06d}.png")
        else:
            self.client.log_figure(self.run_id, image, f"{tag}/step_{step:06d}.png")

    def close(self) -> None:
        self.client.set_terminated(self.run_id)
