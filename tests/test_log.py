import json

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ganlip.log import Logger


def logged(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def tensorboard_scalars(run_dir, tag):
    events = EventAccumulator(str(run_dir / "tb"))
    events.Reload()
    return [(event.step, event.value) for event in events.Scalars(tag)]


def test_each_value_goes_to_the_json_lines_and_to_tensorboard(tmp_path):
    logger = Logger(tmp_path, total_steps=4, progress_bar=False)
    for step in (2, 4):
        logger.scalars(step, {"loss/critic": -step / 10, "swd": step / 100})
    logger.close()
    assert logged(tmp_path) == [
        {"step": 2, "loss/critic": -0.2, "swd": 0.02},
        {"step": 4, "loss/critic": -0.4, "swd": 0.04},
    ]
    assert tensorboard_scalars(tmp_path, "loss/critic") == [(2, pytest.approx(-0.2)), (4, pytest.approx(-0.4))]


def test_a_resumed_run_drops_what_was_logged_after_its_checkpoint(tmp_path):
    first = Logger(tmp_path, total_steps=6, progress_bar=False)
    for step in (2, 4, 6):
        first.scalars(step, {"swd": float(step)})
    first.close()  # killed after logging step 6, with the last checkpoint at step 4
    resumed = Logger(tmp_path, total_steps=6, start_step=4, progress_bar=False)
    resumed.scalars(6, {"swd": 60.0})
    resumed.close()
    assert [(line["step"], line["swd"]) for line in logged(tmp_path)] == [(2, 2.0), (4, 4.0), (6, 60.0)]
    assert tensorboard_scalars(tmp_path, "swd")[-1] == (6, 60.0)


def test_a_disabled_logger_writes_nothing(tmp_path):
    logger = Logger(tmp_path, total_steps=2, enabled=False)
    logger.scalars(1, {"swd": 1.0})
    logger.message("not shown")
    logger.close()
    assert list(tmp_path.iterdir()) == []
