"""The Inception Score against torch-fidelity's `isc`, its closed forms, and through `ganlip score` on a shipped
classifier's logits and Inception's (random weights: no number here is a real IS)."""

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from torch_fidelity.metric_isc import KEY_METRIC_ISC_MEAN, KEY_METRIC_ISC_STD, isc_features_to_metric

from ganlip.cli import cli
from ganlip.data.files import ImageFiles
from ganlip.errors import GanlipError
from ganlip.metrics.features import build_features
from ganlip.metrics.fid import InceptionFeatures
from ganlip.metrics.inception_score import inception_score
from tests.metrics.conftest import image_folder, random_fid_inception


@pytest.mark.parametrize("n, classes", [(1000, 10), (503, 1008)])  # 503: splits of unequal size
def test_the_score_is_torch_fidelitys(n, classes):
    logits = 3 * torch.randn(n, classes, generator=torch.Generator().manual_seed(n))
    theirs = isc_features_to_metric(logits)
    mean, spread = inception_score(logits)
    assert mean == pytest.approx(theirs[KEY_METRIC_ISC_MEAN], rel=1e-10)
    assert spread == pytest.approx(theirs[KEY_METRIC_ISC_STD], rel=1e-8)


def test_closed_forms_one_class_scores_one_and_confident_even_classes_score_their_count():
    assert inception_score(torch.randn(1, 10).expand(100, 10)) == pytest.approx((1.0, 0.0))
    confident = 1e4 * torch.eye(4).repeat(10, 1)  # each split: one sample per class, all certain of it
    shuffled = confident[torch.as_tensor(np.random.RandomState(2020).permutation(40)).argsort()]  # undone by IS
    assert inception_score(shuffled, splits=10)[0] == pytest.approx(4.0, rel=1e-6)


def test_ganlip_score_gives_the_score_of_the_classifiers_own_logits(tmp_path):
    real, fake = image_folder(tmp_path / "a", 0, n=30), image_folder(tmp_path / "b", 1, n=30)
    result = CliRunner().invoke(cli, ["score", str(real), str(fake), "--features", "digits-cnn", "--metrics", "is"])
    assert result.exit_code == 0, result.output
    values = {line.split()[0]: float(line.split()[1]) for line in result.stdout.splitlines()}
    files = ImageFiles(sorted(fake.glob("*.png")), 32)
    with torch.no_grad():
        logits = build_features("digits-cnn").network(torch.stack([files[i] for i in range(len(files))]))
    mean, spread = inception_score(logits)
    assert sorted(values) == ["is/digits-cnn", "is_std/digits-cnn"]
    assert values["is/digits-cnn"] == pytest.approx(mean, rel=1e-5)
    assert values["is_std/digits-cnn"] == pytest.approx(spread, rel=1e-4, abs=1e-6)


def test_inceptions_logits_are_its_classification_layer_without_the_bias(weights_in_hub):
    features = torch.randn(5, 2048, dtype=torch.float64)
    layer = random_fid_inception().fc
    expected = (layer(features.float()) - layer.bias).detach().double()
    assert torch.allclose(InceptionFeatures(2048).logits(features).double(), expected, rtol=1e-4, atol=1e-4)
    with pytest.raises(GanlipError, match="needs Inception's 2048-d pool features, not 768-d; set fid_dims=2048"):
        InceptionFeatures(768).logits(torch.randn(5, 768))


def test_a_training_run_logs_the_score_it_is_asked_for(tmp_path):
    import json

    from ganlip.train import train
    from tests.conftest import tiny_config

    config = tiny_config(tmp_path, features="digits-cnn", score_every=2, score_samples=20, score_metrics=["is"])
    lines = [json.loads(line) for line in (train(config, quiet=True) / "metrics.jsonl").read_text().splitlines()]
    scored = [line for line in lines if "is/digits-cnn" in line]
    assert scored and all(1.0 <= line["is/digits-cnn"] <= 10.0 for line in scored)  # 10 classes: IS ≤ 10
    assert not any(key.startswith(("fd/", "kid/")) for line in lines for key in line)


def test_too_few_samples_and_the_wrong_inception_block_are_refused_before_training(tmp_path):
    from ganlip.resolution import resolve
    from tests.conftest import tiny_config

    with pytest.raises(GanlipError, match="splits its samples in 10 and needs at least that many, got 9"):
        inception_score(torch.randn(9, 10))
    with pytest.raises(GanlipError, match="set fid_dims=2048, not 768"):
        resolve(tiny_config(tmp_path, score_metrics=["is"], fid_dims=768))
    with pytest.raises(GanlipError, match="needs at least 10 samples, got 5"):
        resolve(tiny_config(tmp_path, score_metrics=["is"], features="digits-cnn", score_samples=5))


def test_a_fresh_process_finds_every_metric_by_name_and_reports_head_them():
    import subprocess
    import sys

    from ganlip.compare.results import label

    code = "from ganlip.metrics.registry import metric; print(metric('kid').needs, metric('is').needs)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["features", "logits"]
    assert (label("is"), label("is/digits-cnn"), label("kid/fashion-cnn")) == (
        "IS",
        "IS (digits-cnn)",
        "KID (fashion-cnn)",
    )
