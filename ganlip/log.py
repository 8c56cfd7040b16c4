"""One Logger for a run: metrics.jsonl (one JSON object per logged step, the record), the sinks beside it
(TensorBoard by default; W&B, MLflow: `ganlip.trackers`), a progress bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from torch import Tensor
from tqdm.auto import tqdm

from ganlip.atomic import write_error, write_text
from ganlip.config import Config
from ganlip.jsonlines import read_json_lines, repair_torn_line
from ganlip.trackers import Sink, TensorBoardSink


class Logger:
    def __init__(
        self,
        run_dir: Path,
        total_steps: int,
        start_step: int = 0,
        progress_bar: bool = True,
        enabled: bool = True,
        sinks: list[Sink] | None = None,
    ):
        self.enabled = enabled  # only one process of a distributed run writes
        if not enabled:
            return
        self._metrics = run_dir / "metrics.jsonl"
        torn = repair_torn_line(self._metrics)  # a kill in mid-write leaves a last line cut short
        _drop_lines_after(self._metrics, start_step)  # a killed run may have logged past its last checkpoint
        self._jsonl = open(self._metrics, "a", buffering=1)  # noqa: SIM115 - open for the whole run, closed in close()
        self._sinks = sinks if sinks is not None else [TensorBoardSink(Config(), run_dir, start_step)]
        self._bar = tqdm(
            total=total_steps,
            initial=start_step,
            unit="step",
            dynamic_ncols=True,
            desc="train",
            disable=not progress_bar,
        )
        if torn:
            self.message(torn)

    def scalars(self, step: int, values: dict[str, float]) -> None:
        """One line of metrics.jsonl and one TensorBoard scalar per value."""
        if not self.enabled:
            return
        try:
            self._jsonl.write(json.dumps({"step": step, **values}) + "\n")
        except OSError as error:
            raise write_error(
                self._metrics, error, 0, "free disk space, then resume from the last checkpoint"
            ) from None
        for sink in self._sinks:
            sink.scalars(step, values)

    def progress(self, steps: int = 1, **shown: float) -> None:
        if not self.enabled:
            return
        self._bar.update(steps)
        if shown:
            self._bar.set_postfix({key: f"{value:.3g}" for key, value in shown.items()}, refresh=False)

    def picture(self, tag: str, picture: Any, step: int) -> None:
        """A sample grid (an image tensor) or a matplotlib figure, to TensorBoard."""
        if not self.enabled:
            return
        for sink in self._sinks:
            sink.picture(tag, picture, step)
        if not isinstance(picture, Tensor):
            import matplotlib.pyplot as plt

            plt.close(picture)

    def message(self, text: str) -> None:
        if not self.enabled:
            return
        self._bar.write(text)

    def close(self) -> None:
        if not self.enabled:
            return
        self._bar.close()
        for sink in self._sinks:
            sink.close()
        self._jsonl.close()


def _drop_lines_after(path: Path, step: int) -> None:
    if not path.exists():
        return
    kept = [line for line in read_json_lines(path) if line["step"] <= step]
    write_text(path, "".join(json.dumps(line) + "\n" for line in kept))
