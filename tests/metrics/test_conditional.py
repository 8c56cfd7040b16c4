"""The scores of class-conditional generation: the classifier's accuracy on the classes samples were generated for,
and the intra-class Fréchet distance against pytorch-fid's own Fréchet distance class by class."""

import numpy as np
import pytest
from pytorch_fid.fid_score import calculate_frechet_distance

from ganlip.errors import GanlipError
from ganlip.evaluate import Reference, score_features
from ganlip.metrics.conditional import intra_class_frechet
from ganlip.metrics.registry import Sides, metric


def sides_with(real, fake, real_labels, fake_labels, logits=None):
    return Sides(
        real.mean(0),
        np.cov(real, rowvar=False),
        fake.mean(0),
        np.cov(fake, rowvar=False),
        real,
        fake,
        logits,
        0,
        real_labels,
        fake_labels,
    )


def test_accuracy_is_the_share_of_samples_classified_as_the_class_they_were_generated_for():
    logits = np.eye(4)[[0, 1, 2, 3, 0, 0, 1, 1]] * 5  # classified as 0 1 2 3 0 0 1 1
    generated_for = np.array([0, 1, 2, 0, 0, 3, 1, 2])  # right on rows 0 1 2 4 6: 5 of 8
    features = np.random.default_rng(0).normal(size=(8, 3))
    real_labels = np.zeros(8, dtype=int)  # the real side's classes do not enter
    sides = sides_with(features, features, real_labels, generated_for, logits)
    assert metric("accuracy").compute(sides) == {"accuracy": 5 / 8}


def test_the_intra_class_frechet_distance_is_the_mean_of_pytorch_fids_per_class():
    rng = np.random.default_rng(1)
    real_labels, fake_labels = np.repeat(np.arange(3), 200), np.tile(np.arange(3), 150)
    real = rng.normal(size=(600, 5)) + real_labels[:, None]  # each class its own mean
    fake = 1.3 * rng.normal(size=(450, 5)) + 0.5 * fake_labels[:, None]
    expected = np.mean(
        [
            calculate_frechet_distance(
                real[real_labels == c].mean(0),
                np.cov(real[real_labels == c], rowvar=False),
                fake[fake_labels == c].mean(0),
                np.cov(fake[fake_labels == c], rowvar=False),
            )
            for c in range(3)
        ]
    )
    assert intra_class_frechet(real, fake, real_labels, fake_labels) == pytest.approx(expected, rel=1e-6)
    # class by class: a generator that draws class c+1 when asked for c matches the pooled data, not the classes
    swapped = rng.normal(size=(600, 5)) + ((real_labels + 1) % 3)[:, None]
    pooled = calculate_frechet_distance(
        real.mean(0), np.cov(real, rowvar=False), swapped.mean(0), np.cov(swapped, rowvar=False)
    )
    assert pooled < 0.1 < 1 < intra_class_frechet(real, swapped, real_labels, real_labels)


def test_the_conditional_scores_come_with_classes_on_both_sides_and_are_refused_without():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(300, 4)), rng.normal(size=(300, 4))
    labels = np.arange(300) % 3
    logits = np.eye(3)[labels]
    both = score_features(
        Reference.of(real, labels=labels),
        Reference.of(fake, labels=labels),
        "digits-cnn",
        ("fd",),
        logits=lambda f: logits,
    )
    assert (
        set(both) == {"fd/digits-cnn", "accuracy/digits-cnn", "intra_fd/digits-cnn"}
        and both["accuracy/digits-cnn"] == 1.0
    )
    unlabelled = score_features(Reference.of(real), Reference.of(fake, labels=labels), "digits-cnn", ("fd",))
    assert set(unlabelled) == {"fd/digits-cnn"}
    with pytest.raises(GanlipError, match="intra_fd score class-conditional generation and need the classes"):
        score_features(Reference.of(real), Reference.of(fake), "digits-cnn", ("fd", "intra_fd"))
    # Inception's classes are ImageNet's: the class scores it computes are those of features alone
    inception = score_features(
        Reference.of(real, labels=labels), Reference.of(fake, labels=labels), "inception", ("fd",)
    )
    assert set(inception) == {"fd/inception", "intra_fd/inception"}
    with pytest.raises(GanlipError, match="accuracy compares a classifier's classes with the data's"):
        score_features(Reference.of(real, labels=labels), Reference.of(fake, labels=labels), "inception", ("accuracy",))
    with pytest.raises(GanlipError, match="the generator draws class 2, which the real side does not hold"):
        score_features(Reference.of(real, labels=labels % 2), Reference.of(fake, labels=labels), "digits-cnn", ("fd",))
