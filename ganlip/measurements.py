"""What the training loop measures of its critic and generator on fixed samples, every `measure_every` steps:
the critic's tightness against the exact W1, SWD, each layer's spectra and the Lipschitz bounds."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlip.conditioning import conditioned
from ganlip.gradients import scores
from ganlip.layers import evaluation
from ganlip.metrics import keys
from ganlip.metrics.spectra import gradient_norm_maxima, lipschitz_upper_bound, spectra
from ganlip.metrics.swd import sliced_wasserstein
from ganlip.metrics.w1 import exact_w1


def measurements(
    critic: nn.Module,
    generator: nn.Module,
    real: Tensor,
    noise: Tensor,
    seed: int = 0,
    labels: Tensor | None = None,
) -> dict[str, float]:
    """Critic tightness, distances to the data and spectra, on the fixed samples `real` and `G(noise)`; for a
    conditional run, `labels` are the classes of `real`, for which `noise` is generated and both are scored.

    `tightness` is the critic's Wasserstein estimate on these samples divided by their exact W1: 1 for an
    optimal 1-Lipschitz critic, less for an over-constrained or under-trained one."""
    scored = conditioned(critic, labels)
    with evaluation(critic), evaluation(generator):
        with torch.no_grad():
            fake = conditioned(generator, labels)(noise)
            estimate = (scores(scored(real), len(real)).mean() - scores(scored(fake), len(fake)).mean()).item()
        records = spectra(critic, tuple(real.shape[1:]), labels=labels)
        maxima = gradient_norm_maxima(scored, real, fake, seed)
    w1 = exact_w1(real, fake)
    values = {
        keys.WASSERSTEIN_EVAL: estimate,
        keys.W1_EXACT: w1,
        keys.TIGHTNESS: estimate / w1 if w1 > 0 else float("nan"),
        keys.SWD: sliced_wasserstein(real, fake, seed=seed),
    }
    for record in records:
        values[keys.SPECTRAL_NORM + record.name] = record.matrix_norm
        values[keys.OPERATOR_NORM + record.name] = record.operator_norm
        if record.power_estimate is not None:
            values[keys.SPECTRAL_ESTIMATE + record.name] = record.power_estimate
        if record.orthonormality is not None:
            values[keys.ORTHONORMALITY + record.name] = record.orthonormality
    values[keys.LIPSCHITZ_UPPER] = lipschitz_upper_bound(records, critic)
    values |= {keys.GRADIENT_MAX.format(where=where): value for where, value in maxima.items()}
    values[keys.LIPSCHITZ_LOWER] = max(maxima.values())
    return values
