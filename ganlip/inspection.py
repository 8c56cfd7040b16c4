"""`ganlip inspect`: a critic's spectra and Lipschitz bounds, read from a run directory or checkpoint."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from ganlip.builders import dataset_for
from ganlip.conditioning import conditioned
from ganlip.data.stream import fixed_labelled_subset
from ganlip.errors import GanlipError
from ganlip.metrics.spectra import LayerSpectrum, gradient_norm_maxima, lipschitz_upper_bound, spectra
from ganlip.sampling import generator_batches, sample_classes
from ganlip.trained import restore


def inspect_critic(source: str | Path, n: int = 256) -> tuple[list[LayerSpectrum], float, dict[str, float], str]:
    """Spectra of the checkpointed critic, the upper bound on Lip(D) they give, the largest input-gradient norms
    on `n` real (when the data can be loaded), fake and interpolated samples, and a note on what was measured."""
    restored = restore(source)
    config, generator, critic = restored.config, restored.generator, restored.critic
    if critic is None:
        raise GanlipError(f"{source} is an exported generator and holds no critic; inspect its run directory.")
    labels = sample_classes(generator, n)
    fake = next(generator_batches(generator, n, n, torch.device("cpu"), labels=labels))
    note = f"step {restored.step}, constraint {config.constraint}"
    try:
        dataset = dataset_for(config)
        real, real_labels = fixed_labelled_subset(dataset, n, config.seed)
        if labels is not None and real_labels is not None:  # a conditional critic scores real and fake at one class
            fake = next(generator_batches(generator, n, n, torch.device("cpu"), labels=real_labels))
            labels = real_labels
    except GanlipError:  # other samples of the generator, for the same classes
        real = next(generator_batches(generator, n, n, torch.device("cpu"), seed=1, labels=labels))
        note += "; data not found, so 'real' holds generated samples"
    records = spectra(critic, restored.data_shape, labels=labels)
    maxima = gradient_norm_maxima(conditioned(critic, labels), real, fake)
    return records, lipschitz_upper_bound(records, critic), maxima, note


def format_report(records: list[LayerSpectrum], upper: float, maxima: dict[str, float], note: str) -> str:
    header = f"{'layer':<12} {'kind':<6} {'input':<14} {'σ matrix':>9} {'σ power it.':>11} {'‖op‖':>9}"
    orthonormalized = any(r.orthonormality is not None for r in records)
    if orthonormalized:
        header += f" {'|AᵀA-I|':>9}"
    lines = [note, "", header, "-" * len(header)]
    for r in records:
        estimate = f"{r.power_estimate:.4f}" if r.power_estimate is not None else "-"
        shape = "x".join(map(str, r.input_shape))
        line = f"{r.name:<12} {r.kind:<6} {shape:<14} {r.matrix_norm:>9.4f} {estimate:>11} {r.operator_norm:>9.4f}"
        if orthonormalized:
            line += f" {r.orthonormality:>9.2e}" if r.orthonormality is not None else f" {'-':>9}"
        lines.append(line)
    if orthonormalized:
        lines += [
            "",
            "|AᵀA-I|: how far an orthonormalized layer is from orthonormal (0: it is; bjorck:n_iter closes it).",
        ]
    lines += [
        "",
        "Lip(D) upper bound (product of operator norms): "
        + ("none, the critic rescales its layers' output" if math.isnan(upper) else f"{upper:.4g}"),
        f"Lip(D) lower bound (largest ‖∇D‖ seen): {max(maxima.values()):.4g}  "
        + "  ".join(f"{where} {value:.4g}" for where, value in maxima.items()),
    ]
    return "\n".join(lines)
