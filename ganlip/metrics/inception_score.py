"""The Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", §4): `exp E_x KL(p(y|x) ‖
p(y))` over a feature network's class probabilities of generated samples, high when each sample is confidently
one class and the classes are spread. Computed as torch-fidelity's `isc` computes it: the samples shuffled with
seed 2020, split into 10 parts, the score of each part with its own marginal `p(y)`; the mean and standard
deviation over the parts. On Inception, the logits of its 1008-way layer without the bias (torch-fidelity's
`logits_unbiased`); on a shipped classifier, its 10-way head. It reads only the generated side: unlike FD it
does not compare with the data, so it suits classes like ImageNet's, not CelebA's faces."""

from __future__ import annotations

import numpy as np
import torch

from ganlip.errors import GanlipError
from ganlip.metrics.registry import Key, Sides, register_metric

SPLITS = 10
SHUFFLE_SEED = 2020  # torch-fidelity's


def inception_score(logits: np.ndarray | torch.Tensor, splits: int = SPLITS) -> tuple[float, float]:
    """Mean and standard deviation over the splits (the population's, as torch-fidelity's `np.std`) of the score
    of `logits` (N, classes)."""
    logits = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    if len(logits) < splits:
        raise GanlipError(
            f"the Inception Score splits its samples in {splits} and needs at least that many, got {len(logits)}; "
            f"score more samples."
        )
    logits = logits[np.random.RandomState(SHUFFLE_SEED).permutation(len(logits))]
    log_p = logits.log_softmax(dim=1)
    scores = []
    for part in range(splits):
        chunk = log_p[part * len(log_p) // splits : (part + 1) * len(log_p) // splits]
        log_marginal = chunk.exp().mean(dim=0).log()
        scores.append((chunk.exp() * (chunk - log_marginal)).sum(dim=1).mean().exp())
    stacked = torch.stack(scores)
    return stacked.mean().item(), stacked.std(correction=0).item()


@register_metric(
    "is",
    needs="logits",
    keys=(Key("is", "IS ({features})", "higher"), Key("is_std", "IS spread ({features})", "")),
    summary="Inception Score of the generated side, 10 splits; not by default",
    role="beside",
    default=False,
)
def _inception_score(sides: Sides) -> dict[str, float]:
    mean, spread = inception_score(sides.logits())
    return {"is": mean, "is_std": spread}
