"""Scores of class-conditional generation, computed whenever both sides carry classes: how often the data's
classifier recognizes the class a sample was generated for, and the intra-class Fréchet distance (Miyato & Koyama
2018, section 5: the Fréchet distance between the real and generated samples of each class, averaged over the
classes), on the same features as the unconditional scores."""

from __future__ import annotations

import numpy as np

from ganlip.errors import GanlipError
from ganlip.metrics.frechet import frechet_distance
from ganlip.metrics.registry import Key, Sides, register_metric
from ganlip.metrics.statistics import statistics

# Fewest samples of a class on each side for its Fréchet distance: a covariance needs two.
MIN_PER_CLASS = 2


@register_metric(
    "accuracy",
    needs="logits",
    keys=(Key("accuracy", "accuracy ({features})", "higher"),),
    summary="how often the feature network's classifier gives a generated sample the class it was generated for "
    "(conditional generators)",
    role="beside",
    default=False,
    conditional=True,
)
def _accuracy(sides: Sides) -> dict[str, float]:
    _, generated_for = sides.classes()
    return {"accuracy": float((sides.logits().argmax(axis=1) == generated_for).mean())}


@register_metric(
    "intra_fd",
    needs="features",
    keys=(Key("intra_fd", "intra-FD ({features})", "lower"),),
    summary="the Fréchet distance between each class's real and generated features, averaged over the classes "
    "(conditional generators)",
    role="beside",
    default=False,
    conditional=True,
)
def _intra_fd(sides: Sides) -> dict[str, float]:
    real, fake = sides.pairs()
    real_labels, fake_labels = sides.classes()
    return {"intra_fd": intra_class_frechet(real, fake, real_labels[: len(real)], fake_labels[: len(fake)])}


def intra_class_frechet(real: np.ndarray, fake: np.ndarray, real_labels: np.ndarray, fake_labels: np.ndarray) -> float:
    """The mean over the classes of both sides of the Fréchet distance between their real and generated rows."""
    classes = sorted(set(np.unique(real_labels).tolist()) & set(np.unique(fake_labels).tolist()))
    distances = []
    for label in classes:
        own_real, own_fake = real[real_labels == label], fake[fake_labels == label]
        if min(len(own_real), len(own_fake)) < MIN_PER_CLASS:
            continue
        distances.append(frechet_distance(*statistics(own_real), *statistics(own_fake)))
    if not distances:
        raise GanlipError(
            f"no class has {MIN_PER_CLASS} samples on both sides for the intra-class FD; score more samples."
        )
    return float(np.mean(distances))
