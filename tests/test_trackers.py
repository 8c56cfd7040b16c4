"""The experiment trackers beside metrics.jsonl, offline: what W&B and MLflow hold after a run, read back from
their own files and compared with metrics.jsonl, the record."""

import json
import struct

import pytest

from ganlip import config as config_module
from ganlip.errors import GanlipError
from ganlip.train import train
from tests.conftest import tiny_config

BLOCK = 32768  # the W&B transaction log is a LevelDB-format log: 32 KiB blocks of chunks with 7-byte headers


def wandb_records(path):
    """The protobuf records of an offline W&B run file (`run-ID.wandb`), read without wandb's service."""
    from wandb.proto import wandb_internal_pb2

    data, position, pieces = path.read_bytes(), 7, b""  # 7: the ":W&B" file header
    while position + 7 <= len(data):
        if BLOCK - position % BLOCK < 7:
            position += BLOCK - position % BLOCK
            continue
        _, length, kind = struct.unpack("<IHB", data[position : position + 7])
        chunk = data[position + 7 : position + 7 + length]
        position += 7 + length
        pieces = chunk if kind in (1, 2) else pieces + chunk
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pieces)
            yield record


@pytest.fixture(scope="module")
def tracked_run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    folder = tmp_path_factory.mktemp("trackers")
    config = tiny_config(folder, "8gaussians", steps=4, log_every=1, sample_every=2)
    run_dir = train(config.replace(loggers=["tensorboard", "wandb", "mlflow"]), quiet=True)
    yield run_dir
    monkeypatch.undo()


def logged(run_dir):
    return {line["step"]: line for line in map(json.loads, (run_dir / "metrics.jsonl").read_text().splitlines())}


def test_wandb_offline_holds_every_logged_number_the_config_and_the_sample_grids(tracked_run):
    (path,) = tracked_run.glob("wandb/offline-run-*/run-*.wandb")
    history, config = {}, {}
    for record in wandb_records(path):
        kind = record.WhichOneof("record_type")
        if kind == "history":
            items = {"/".join(item.nested_key) or item.key: item.value_json for item in record.history.item}
            history.setdefault(int(items["_step"]), {}).update(items)
        elif kind == "run":
            config |= {item.key: json.loads(item.value_json) for item in record.run.config.update}
    for step, line in logged(tracked_run).items():
        for key, value in line.items():
            if key != "step":
                assert json.loads(history[step][key]) == pytest.approx(value, rel=1e-6), (step, key)
    assert config["constraint"] == "sn" and config["steps"] == 4
    assert any(
        key.endswith("/_type") and '"image-file"' in value for step in history.values() for key, value in step.items()
    )


def test_mlflow_file_store_holds_every_logged_number_the_config_and_the_sample_grids(tracked_run):
    import mlflow

    client = mlflow.MlflowClient((tracked_run / "mlruns").resolve().as_uri())
    run_id = (tracked_run / "mlflow_run_id").read_text().strip()
    lines = logged(tracked_run)
    for key in {key for line in lines.values() for key in line if key != "step"}:
        history = {metric.step: metric.value for metric in client.get_metric_history(run_id, key)}
        expected = {step: line[key] for step, line in lines.items() if key in line}
        assert history == pytest.approx(expected, rel=1e-6), key
    run = client.get_run(run_id)
    assert run.data.params["constraint"] == "sn" and run.info.status == "FINISHED"
    folders = [artifact.path for artifact in client.list_artifacts(run_id)]
    assert any(client.list_artifacts(run_id, folder) for folder in folders)


def test_an_unknown_or_missing_tracker_is_refused_with_the_fix(monkeypatch):
    with pytest.raises(GanlipError, match="valid: tensorboard, wandb, mlflow"):
        config_module.from_dict({"loggers": ["comet"]})
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(GanlipError, match=r"pip install 'ganlip\[wandb\]'"):
        config_module.from_dict({"loggers": ["tensorboard", "wandb"]})


def test_wandb_stays_offline_unless_the_config_or_its_environment_says_online(monkeypatch):
    from ganlip.trackers import wandb_mode

    monkeypatch.delenv("WANDB_MODE", raising=False)
    assert wandb_mode(config_module.Config()) == "offline"
    monkeypatch.setenv("WANDB_MODE", "online")
    assert wandb_mode(config_module.Config()) == "online"
    assert wandb_mode(config_module.Config(wandb_mode="disabled")) == "disabled"


def test_a_resumed_run_continues_the_same_tracker_runs(tmp_path, monkeypatch):
    import mlflow

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    config = tiny_config(tmp_path, "8gaussians", steps=2, log_every=1).replace(loggers=["wandb", "mlflow"])
    run_dir = train(config, quiet=True)
    train(config, resume=run_dir, changes={"steps": 4}, quiet=True)
    wandb_runs = {path.name.split("-")[3] for path in run_dir.glob("wandb/offline-run-*")}  # -TIME-ID[-k]
    assert wandb_runs == {(run_dir / "wandb_run_id").read_text().strip()}
    client = mlflow.MlflowClient((run_dir / "mlruns").resolve().as_uri())
    (experiment,) = [e for e in client.search_experiments() if e.name == "ganlip"]
    (run,) = client.search_runs([experiment.experiment_id])
    assert sorted(m.step for m in client.get_metric_history(run.info.run_id, "loss/critic")) == [1, 2, 3, 4]
