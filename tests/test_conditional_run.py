"""A class-conditional run end to end on the CPU: train (with its class scores), sample a class and a grid of
rows per class, export and run the standalone program with `(z, y)`, score against a folder of classes; and the
bad input of conditional runs, each one line and exit code 2."""

import json

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from ganlip.cli import cli
from ganlip.sampling import generator_batches
from ganlip.trained import load_generator
from ganlip.visuals import save_image_files
from tests.conftest import run_program_without_ganlip

TINY = ["--steps", "2", "--n-critic", "1", "--batch-size", "16", "--set", "width=8", "--quiet"]


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("conditional") / "run"
    scoring = ["--set", "score_every=2", "--set", "features=digits-cnn", "--set", "score_samples=60"]
    result = CliRunner().invoke(
        cli, ["train", "--out", str(out), "--set", "conditional=true", "--set", "n_samples=20", *TINY, *scoring]
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_conditional_run_logs_its_class_scores_and_a_grid_row_per_class(conditional_run):
    last = json.loads((conditional_run / "metrics.jsonl").read_text().splitlines()[-1])
    assert 0 <= last["accuracy/digits-cnn"] <= 1 and last["intra_fd/digits-cnn"] > 0
    assert "spectral_norm/embedding" in last  # the class embedding is one of the measured layers
    grid = Image.open(conditional_run / "samples" / "step_000002.png")
    assert grid.size == (2 * 34 + 2, 10 * 34 + 2)  # n_samples 20 over 10 classes: 10 rows of 2


def test_sample_draws_the_class_asked_for(conditional_run, tmp_path):
    runner = CliRunner()
    assert (
        runner.invoke(
            cli,
            ["sample", str(conditional_run), "--class", "3", "--files", "--n", "4", "--out", str(tmp_path / "three")],
        ).exit_code
        == 0
    )
    generator = load_generator(conditional_run)
    expected = next(generator_batches(generator, 4, 4, torch.device("cpu"), labels=torch.full((4,), 3)))
    save_image_files(expected, tmp_path / "expected")
    for name in ("000000.png", "000003.png"):
        assert Image.open(tmp_path / "three" / name).tobytes() == Image.open(tmp_path / "expected" / name).tobytes()
    other = next(generator_batches(generator, 4, 4, torch.device("cpu"), labels=torch.full((4,), 5)))
    assert not torch.allclose(expected, other)


def test_the_exported_program_takes_latents_and_classes(conditional_run, tmp_path):
    result = CliRunner().invoke(
        cli, ["export", str(conditional_run), "--out", str(tmp_path / "G.safetensors"), "--format", "export"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "G.json").read_text())["classes"] == 10
    z, y = torch.randn(3, 128), torch.tensor([9, 0, 4])
    with torch.no_grad():
        expected = load_generator(tmp_path / "G.safetensors")(z, y)
    assert torch.allclose(run_program_without_ganlip(tmp_path / "G.pt2", (z, y), tmp_path), expected, atol=1e-5)


def test_score_compares_each_class_with_the_datas_same_class(conditional_run, tmp_path):
    from ganlip.data import load_data

    digits = load_data("digits")
    for label in range(10):
        chosen = (digits.labels == label).nonzero().flatten()[:8]
        save_image_files(digits.batch(chosen), tmp_path / "real" / f"digit{label}")
    result = CliRunner().invoke(
        cli, ["score", str(tmp_path / "real"), str(conditional_run), "--features", "digits-cnn", "--n", "60"]
    )
    assert result.exit_code == 0, result.output
    assert "accuracy/digits-cnn" in result.output and "intra_fd/digits-cnn" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "swissroll", "--set", "conditional=true"], "conditional=true needs labelled data, and 'swissroll'"),
        (["--arch", "resnet", "--set", "conditional=true"], "architecture 'resnet' has no class-conditional variant"),
        (["--constraint", "pgp", "--set", "conditional=true"], "pgp differentiates the critic per sample"),
        (["--set", "num_classes=10"], "num_classes is only read by a conditional run"),
        (
            ["--set", "conditional=true", "--set", "score_every=2", "--set", "score_samples=12"],
            "score_samples 12 gives some of the 10 classes fewer than 2 samples",
        ),
    ],
)
def test_conditional_training_refuses_what_cannot_work_in_one_line(tmp_path, arguments, message):
    result = CliRunner().invoke(cli, ["train", "--out", str(tmp_path / "run"), *TINY, *arguments])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "run").exists()


def test_a_folder_with_an_empty_class_and_a_class_out_of_range_are_refused(tmp_path, conditional_run):
    for name in ("cat", "dog"):
        (tmp_path / "pets" / name).mkdir(parents=True)
    for index in range(16):
        Image.new("RGB", (8, 8), (index * 10, 0, 0)).save(tmp_path / "pets" / "cat" / f"{index}.png")
    arguments = ["--data", "folder", "--data-root", str(tmp_path / "pets"), "--set", "resolution=32"]
    result = CliRunner().invoke(
        cli, ["train", "--out", str(tmp_path / "run"), *TINY, *arguments, "--set", "conditional=true"]
    )
    assert result.exit_code == 2 and "class 'dog' of 'folder' has no samples" in result.output
    result = CliRunner().invoke(
        cli, ["sample", str(conditional_run), "--class", "10", "--out", str(tmp_path / "s.png")]
    )
    assert result.exit_code == 2 and "--class 10 is not a class of this generator, which has 10" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_critic_step_generates_its_fakes_for_the_real_batchs_classes(tmp_path, monkeypatch):
    from ganlip import train as train_module
    from ganlip.resolution import resolve
    from ganlip.setup import build_run
    from tests.conftest import tiny_config

    run = build_run(resolve(tiny_config(tmp_path, "8gaussians", conditional=True)))
    asked, given = [], {}

    class Recording(torch.nn.Module):
        def __init__(self, generator):
            super().__init__()
            self.generator = generator

        def forward(self, z, y):
            asked.append(y.clone())
            return self.generator(z, y)

    run.generator_train = Recording(run.generator)
    update = train_module.update_critic
    monkeypatch.setattr(train_module, "update_critic", lambda *a, **k: given.update(labels=a[-1]) or update(*a, **k))
    real, labels = next(run.stream)
    train_module.critic_step(run, (real, labels))
    assert torch.equal(asked[0], labels) and torch.equal(given["labels"], labels)
