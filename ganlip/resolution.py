"""Resolve a config to what a run trains with: the papers' defaults for its data, architecture and strategy
(its recipe), the strategy spec with its recipe's parameters, and the precision the machine runs."""

from __future__ import annotations

from pathlib import Path

import torch

from ganlip.config import Config, path_safe
from ganlip.constraints import Constraint, OptimizerRecipe, build
from ganlip.constraints.base import with_recipe_params
from ganlip.data import data_spec
from ganlip.devices import native_bf16, select_device
from ganlip.errors import GanlipError
from ganlip.evaluate import default_score_samples
from ganlip.losses import DEFAULT_LOSS, build_loss
from ganlip.metrics.features import choose_features
from ganlip.models import family
from ganlip.models.registry import SIZE_KEYS, require_conditional

# Used when no strategy names a recipe (e.g. only penalties without one): WGAN-GP's Adam.
DEFAULT_RECIPE = OptimizerRecipe("adam", 1e-4, (0.0, 0.9))


# What a run trains with where neither the config nor the strategy's recipe says: WGAN's loss and critic steps.
WGAN_TRAINING = {"loss": DEFAULT_LOSS, "n_critic": 5, "critic_schedule": "constant"}


def resolve(config: Config) -> Config:
    """Fill every `None` of `config` with the default of its data, architecture or strategy (the papers')."""
    spec = data_spec(config.data)
    arch = config.arch or spec.arch
    sizes = {**family(arch).sizes, **(spec.sizes if arch == spec.arch else {})}
    given, config = config.constraint, settled(config)
    strategy = build(config.constraint)
    if config.conditional:
        check_conditional(config, strategy, arch)
    recipe = (strategy.recipe_for(spec.kind) or DEFAULT_RECIPE).settings()
    resolved = config.replace(
        arch=arch,
        resolution=(config.resolution or spec.resolution) if spec.kind == "images" else None,
        **{key: getattr(config, key) or sizes.get(key) for key in SIZE_KEYS},
        **{key: getattr(config, key) or value for key, value in (WGAN_TRAINING | recipe).items()},
        decay_steps=config.decay_steps or config.steps,
        out=config.out or str(Path("runs") / f"{config.data}-{path_safe(given)}"),
    )
    build_loss(resolved.loss or DEFAULT_LOSS)  # a bad name stops here, before anything is built
    return resolved.replace(
        score_samples=resolved.score_samples or default_score_samples(scored_features(resolved), resolved.score_metrics)
    )


def check_conditional(config: Config, strategy: Constraint, arch: str) -> None:
    """A conditional run needs labelled data, an architecture with a conditional variant and a strategy that can
    constrain a projection critic; each refusal says what to change."""
    if data_spec(config.data).classes == 0:
        raise GanlipError(
            f"conditional=true needs labelled data, and '{config.data}' has no labels; train it unconditionally, or "
            f"use a data set with classes (ganlip datasets lists them)."
        )
    require_conditional(arch)
    refusal = strategy.conditional_refusal()
    if refusal is not None:
        raise GanlipError(refusal)
    if classes := data_spec(config.data).classes:  # a folder's are counted when its run starts
        require_class_samples(config, classes)


def require_class_samples(config: Config, classes: int) -> None:
    """A conditional run's scores draw `score_samples` for the classes in turn, and the intra-class FD needs two a
    class."""
    if config.score_every and config.score_samples is not None and config.score_samples < 2 * classes:
        raise GanlipError(
            f"score_samples {config.score_samples} gives some of the {classes} classes fewer than 2 samples, and the "
            f"intra-class FD needs 2 a class; score at least {2 * classes} (thousands to trust it)."
        )


def scored_features(config: Config) -> str | None:
    """The feature network a run's scores will use (None: no scores, or none available)."""
    if not config.score_every:
        return None
    try:
        return choose_features(config.features, config.data, config.inception_weights)
    except GanlipError:
        return None


def recipe_comments(config: Config) -> dict[str, str]:
    """For a resolved config: the keys whose values are those of its strategy's recipe, each with the words that
    say so in `config.yaml` (the user's own setting wins; a key set to the recipe's value is marked too)."""
    kind = data_spec(config.data).kind
    recipes = ((part, part.recipe_for(kind)) for part in build(config.constraint).parts)
    owner, recipe = next(((part, recipe) for part, recipe in recipes if recipe is not None), (None, None))
    if owner is None or recipe is None:
        return {}
    said = f"the recipe of {owner.name}" + (f" ({recipe.source})" if recipe.source else "")
    return {key: said for key, value in recipe.settings().items() if getattr(config, key) == value}


def settled(config: Config) -> Config:
    """`config` with what depends on the data and the machine written out: the strategy spec with its recipe's
    parameters, and amp=auto as bf16 or off."""
    amp = resolved_amp(config.amp, select_device(config.device))
    return config.replace(constraint=resolved_constraint(config), amp=amp)


def resolved_amp(amp: str, device: torch.device) -> str:
    """`auto` becomes bf16 where the device runs it natively, else off; `off` and `bf16` stay."""
    if amp != "auto":
        return amp
    return "bf16" if native_bf16(device)[0] else "off"


def resolved_constraint(config: Config) -> str:
    """The config's strategy spec with the parameters its recipe for these data sets (gp's toy weight)."""
    return with_recipe_params(config.constraint, data_spec(config.data).kind)
