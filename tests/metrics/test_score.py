"""`ganlip score` on its four kinds of source, with and without Inception weights, and its bad sources."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from ganlip.cli import cli
from ganlip.evaluate import Reference, score_features
from ganlip.export import export_generator
from ganlip.metrics.features import build_features
from ganlip.metrics.frechet import frechet_distance
from ganlip.metrics.kid import kernel_distance
from ganlip.metrics.prdc import precision_recall_density_coverage
from ganlip.train import train
from tests.conftest import tiny_config
from tests.metrics.conftest import image_folder


def score(*arguments):
    result = CliRunner().invoke(cli, ["score", *map(str, arguments)])
    values = {}
    if result.exit_code == 0:
        values = {line.split()[0]: float(line.split()[1]) for line in result.stdout.splitlines()}
    return result, values


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train(tiny_config(tmp_path_factory.mktemp("score"), steps=2, score_every=0), quiet=True)


def test_scores_are_the_metrics_of_the_two_folders_features(tmp_path):
    """Every number `score` prints is the metric of the shipped network's features, computed here directly."""
    a, b = image_folder(tmp_path / "a", 0, n=30), image_folder(tmp_path / "b", 1, n=30)
    result, values = score(a, b, "--features", "digits-cnn")
    assert result.exit_code == 0, result.output
    network = build_features("digits-cnn")
    from ganlip.data.files import ImageFiles

    features = []
    for folder in (a, b):
        files = ImageFiles(sorted(folder.glob("*.png")), 32)
        features.append(network(torch.stack([files[i] for i in range(len(files))])).double().numpy())
    real, fake = features
    expected_fd = frechet_distance(real.mean(0), np.cov(real.T), fake.mean(0), np.cov(fake.T))
    assert values["fd/digits-cnn"] == pytest.approx(expected_fd, rel=1e-5)
    assert values["kid/digits-cnn"] == pytest.approx(kernel_distance(real, fake)[0], rel=1e-4, abs=1e-6)
    expected = precision_recall_density_coverage(real, fake)
    for key in ("precision", "recall", "density", "coverage"):
        assert values[f"{key}/digits-cnn"] == pytest.approx(expected[key], abs=1e-6)


def test_run_directories_exported_generators_and_statistics(run_dir, tmp_path):
    exported = export_generator(run_dir, tmp_path / "G.safetensors")[0]
    images = image_folder(tmp_path / "images", 0, n=40)
    from_run, run_values = score(images, run_dir, "--features", "digits-cnn", "--n", 40)
    from_export, export_values = score(images, exported, "--features", "digits-cnn", "--n", 40)
    assert from_run.exit_code == 0 and from_export.exit_code == 0, from_run.output + from_export.output
    assert run_values == pytest.approx(export_values, rel=1e-5)  # the same generator, the same noise
    stats = tmp_path / "images.npz"
    model = build_features("digits-cnn")
    from ganlip.evaluate import source_reference

    Reference.save(source_reference(images, lambda: model, 40, 50, torch.device("cpu")), stats)
    from_stats, stats_values = score(stats, run_dir, "--features", "digits-cnn", "--n", 40)
    assert from_stats.exit_code == 0, from_stats.output
    assert stats_values == pytest.approx(run_values, rel=1e-5)
    only_fd = Reference.load(stats)
    only_fd.features = None
    Reference.save(only_fd, tmp_path / "mu_sigma.npz")
    fd_only, fd_values = score(
        tmp_path / "mu_sigma.npz", run_dir, "--features", "digits-cnn", "--metrics", "fd", "--n", 40
    )
    assert fd_only.exit_code == 0 and fd_values["fd/digits-cnn"] == pytest.approx(run_values["fd/digits-cnn"])
    wanting, _ = score(tmp_path / "mu_sigma.npz", run_dir, "--features", "digits-cnn", "--metrics", "fd,kid")
    assert wanting.exit_code == 2 and "need the features themselves" in wanting.output


def test_auto_features_with_and_without_inception(weights_in_hub, tmp_path, monkeypatch):
    a, b = image_folder(tmp_path / "a", 0, n=12), image_folder(tmp_path / "b", 1, n=12)
    with_weights, values = score(a, b, "--metrics", "fd")
    assert with_weights.exit_code == 0, with_weights.output
    assert list(values) == ["fd/inception"] and values["fd/inception"] > 0
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "no_weights"))
    without, _ = score(a, b)
    assert without.exit_code == 2 and "--features fashion-cnn" in without.output
    named, values = score(a, b, "--data", "digits", "--metrics", "fd")
    assert named.exit_code == 0 and list(values) == ["fd/digits-cnn"]


def test_auto_features_follow_the_data_a_run_was_trained_on(run_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "no_weights"))
    images = image_folder(tmp_path / "images", 0, n=20)
    exported = export_generator(run_dir, tmp_path / "G.safetensors")[0]
    for source in (run_dir, exported):
        result, values = score(images, source, "--metrics", "fd", "--n", 20)
        assert result.exit_code == 0 and list(values) == ["fd/digits-cnn"], result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t: (t / "missing", t / "b"), "does not exist"),
        (lambda t: (image_folder(t / "few", 0, n=3), t / "b"), "holds 3 images; scoring needs at least 6"),
        (lambda t: (t / "big", t / "b"), "differ in size"),
        (lambda t: (t / "foreign.npz", t / "b"), "not the mean and covariance of one feature space"),
        (lambda t: (t / "other_net.npz", t / "b"), "features of 3 and 128 dimensions"),
        (lambda t: (t / "b", t / "b", "--features", "resnet"), "unknown feature network 'resnet'"),
        (lambda t: (t / "b", t / "b", "--metrics", "fid"), "unknown metric 'fid'"),
        (lambda t: (t / "b", t / "b", "--n", "2"), "--n 2 is too few samples to score"),
    ],
)
def test_bad_sources_are_one_line_and_exit_2(tmp_path, make, message):
    image_folder(tmp_path / "b", 1, n=8)
    big = tmp_path / "big"
    big.mkdir()
    from PIL import Image

    for i in range(8):
        Image.fromarray(np.full((64, 64, 3), 30 * i, np.uint8)).save(big / f"{i}.png")
    np.savez(tmp_path / "foreign.npz", mu=np.zeros(3), sigma=np.zeros(4))
    np.savez(tmp_path / "other_net.npz", mu=np.zeros(3), sigma=np.eye(3), features=np.zeros((8, 3)))
    arguments = make(tmp_path)
    extra = [] if "--features" in arguments else ["--features", "digits-cnn"]
    result, _ = score(*arguments, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_score_features_names_say_which_features():
    rng = np.random.default_rng(0)
    first = Reference.of(rng.standard_normal((20, 4)))
    second = Reference.of(rng.standard_normal((20, 4)) + 1)
    assert sorted(score_features(first, second, "fashion-cnn")) == [
        "coverage/fashion-cnn",
        "density/fashion-cnn",
        "fd/fashion-cnn",
        "kid/fashion-cnn",
        "precision/fashion-cnn",
        "recall/fashion-cnn",
    ]


def test_scoring_a_generator_equals_scoring_the_folder_of_its_saved_pngs(run_dir, tmp_path):
    """Generated images reach the feature network quantized as a PNG of them is (the protocol of pytorch-fid's
    command line, and of every real image), so a generator and its saved samples get the same scores."""
    images = image_folder(tmp_path / "images", 0, n=40)
    result = CliRunner().invoke(cli, ["sample", str(run_dir), "--n", "40", "--files", "--out", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "png").glob("*.png"))) == 40
    _, direct = score(images, run_dir, "--features", "digits-cnn", "--n", 40)
    _, saved = score(images, tmp_path / "png", "--features", "digits-cnn")
    assert direct and direct == pytest.approx(saved, rel=1e-5, abs=1e-7)


def test_the_sample_count_is_named_and_fid_defaults_to_50k():
    from ganlip.compare.results import label
    from ganlip.config import Config
    from ganlip.evaluate import default_score_samples
    from ganlip.resolution import resolve

    assert default_score_samples("inception", ("fd", "kid")) == 50_000
    assert default_score_samples("inception", ("kid",)) == default_score_samples("fashion-cnn", ("fd",)) == 10_000
    assert label("fd/inception", 10_000) == "FID (10k)" and label("fd/fashion-cnn", 5000) == "FD (fashion-cnn, 5k)"
    assert resolve(Config(score_every=10, data="fashion-mnist", features="fashion-cnn")).score_samples == 10_000
    assert resolve(Config(score_every=10, score_samples=2000)).score_samples == 2000
