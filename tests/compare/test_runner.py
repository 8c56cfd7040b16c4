"""Training a comparison's runs in processes of their own (`--jobs`) and as submitit jobs: the same runs, the same
results as one at a time in this process."""

import pytest
import torch

from ganlip.checkpoint import load_checkpoint
from ganlip.compare import compare
from ganlip.errors import GanlipError
from tests.compare.conftest import write_comparison


def same_weights(a, b) -> bool:
    first, second = load_checkpoint(a), load_checkpoint(b)
    return all(torch.equal(first[part][k], second[part][k]) for part in ("generator", "critic") for k in first[part])


def runs_of(out):
    return sorted(p.relative_to(out) for p in out.glob("toy/*/seed*"))


@pytest.mark.slow  # two processes each importing torch: about 40 s on 2 cores
def test_two_jobs_train_the_runs_a_single_process_trains(toy_comparison, tmp_path):
    reference, config, _ = toy_comparison
    said: list[str] = []
    compare(tmp_path / "out", config, quiet=True, say=said.append, jobs=2)
    assert runs_of(tmp_path / "out") == runs_of(reference)
    for run in runs_of(reference):
        assert load_checkpoint(tmp_path / "out" / run)["step"] == 4
        assert same_weights(tmp_path / "out" / run, reference / run), run
    assert sum("with 1 CPU threads" in line for line in said) == 4  # 2 cores shared by 2 processes
    assert (tmp_path / "out" / "report.md").is_file()
    again: list[str] = []
    compare(tmp_path / "out", config, quiet=True, say=again.append, jobs=2)  # complete: nothing trains again
    assert all(line.endswith("skipped") for line in again)


@pytest.mark.slow
def test_submitit_jobs_train_the_runs_a_single_process_trains(toy_comparison, tmp_path):
    submitit = pytest.importorskip("submitit")
    reference, config, _ = toy_comparison
    said: list[str] = []
    executor = submitit.LocalExecutor(folder=tmp_path / "jobs")
    compare(tmp_path / "out", config, quiet=True, say=said.append, executor=executor)
    assert sum("submitted as job" in line for line in said) == 4
    for run in runs_of(reference):
        assert same_weights(tmp_path / "out" / run, reference / run), run
    assert (tmp_path / "out" / "report.md").is_file()


def test_a_failed_run_is_named_with_its_last_words_and_its_log(tmp_path):
    config = write_comparison(tmp_path / "c.yaml", constraints=["none"], seeds=1, steps=20)
    values = config.read_text() + "lr: 1.0e+30\ncheckpoint_every: 20\n"  # diverges before its first checkpoint
    config.write_text(values)
    with pytest.raises(GanlipError, match=r"1 run\(s\) failed; \[1/1\] toy none seed 0 exited with 3: .*diverged"):
        compare(tmp_path / "out", config, quiet=True, say=lambda _: None, jobs=2)
    assert (tmp_path / "out" / "toy" / "none" / "seed0" / "train.log").is_file()


def test_the_slurm_launcher_off_a_cluster_says_so(tmp_path, monkeypatch):
    pytest.importorskip("submitit")
    from ganlip.compare import slurm_executor

    monkeypatch.setenv("PATH", str(tmp_path))  # no srun anywhere
    with pytest.raises(GanlipError, match=r"--launcher slurm: .*srun.*Run it on the cluster's login node"):
        slurm_executor(tmp_path / "slurm", {"slurm_partition": "gpu"})
