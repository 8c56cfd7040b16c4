"""The strategy interface, its registry, composition, and `build(spec)`."""

from __future__ import annotations

import dataclasses
import enum
import itertools
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

from ganlip import reporting
from ganlip.errors import GanlipError
from ganlip.gradients import scores as per_sample
from ganlip.layers import weighted_layers
from ganlip.registry import Registry

_REGISTRY: Registry[type[Constraint]] = Registry("constraint")


@dataclass(frozen=True)
class OptimizerRecipe:
    """How a strategy's source trained it on one kind of data: the optimizer, and where the source departs from
    WGAN's training the loss, the critic steps per generator step and their schedule (each used when the config
    sets none), and the strategy parameters it set otherwise than the defaults (used when the spec sets none)."""

    name: str
    lr: float
    betas: tuple[float, float] = (0.0, 0.9)
    params: tuple[tuple[str, Any], ...] = ()
    source: str = ""
    loss: str | None = None
    n_critic: int | None = None
    critic_schedule: str | None = None

    def settings(self) -> dict[str, Any]:
        """The config keys this recipe sets, with its values."""
        given = {"loss": self.loss, "n_critic": self.n_critic, "critic_schedule": self.critic_schedule}
        return {"optimizer": self.name, "lr": self.lr, "betas": list(self.betas)} | {
            key: value for key, value in given.items() if value is not None
        }


class Trait(enum.Enum):
    """What a strategy does beyond its hooks, which decides where it can run and what it can be composed with.
    Each strategy declares its own in `traits`; `CONFLICTS` lists the pairs one critic cannot hold at once."""

    NORMALIZES = "fixes the scale of each weight"
    DOUBLE_BACKWARD = "differentiates through a gradient (create_graph=True), which torch.compile cannot trace"
    # Under DDP each process would see only its share of the batch, which is another quantity: refused there.
    BATCH_COUPLED = "its penalty is a nonlinear function of a whole batch (a gradient of the batch mean, statistics)"
    GRADIENT_IN_FORWARD = "takes an input gradient inside the critic's forward pass, which torch.func cannot trace"
    PER_SAMPLE_GRADIENTS = "differentiates the critic per sample with torch.func"
    OWN_CRITIC = "is a critic family of its own, built in place of the architecture's critic"


@dataclass(frozen=True)
class Conflict:
    """Two traits one critic cannot combine; `message` names the two strategies as {first} and {second}."""

    first: Trait
    second: Trait
    message: str


CONFLICTS = (
    Conflict(
        Trait.NORMALIZES,
        Trait.NORMALIZES,
        "{first} and {second} both normalize the critic's weights, and the second would undo the first; keep one "
        "of them.",
    ),
    Conflict(
        Trait.OWN_CRITIC,
        Trait.OWN_CRITIC,
        "{first} and {second} are each a critic of their own, and a run trains one critic; keep one of them.",
    ),
    Conflict(
        Trait.PER_SAMPLE_GRADIENTS,
        Trait.GRADIENT_IN_FORWARD,
        "{first} takes per-sample gradients with torch.func, which cannot trace the gradient {second} takes inside "
        "the critic; use {first}:per_sample=false with {second}.",
    ),
)


class Constraint:
    """A Lipschitz strategy. Subclasses fill the hooks they need:

    - `attach(critic)`: reparametrize layers once, before training (normalizations);
    - `penalty(critic, real, fake)`: a scalar added to the critic loss (penalties);
    - `after_step(critic)`: an in-place projection after each critic optimizer step (clipping).
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "none"  # reparametrization | projection | penalty | architecture | none
    cost: ClassVar[str] = "none"  # what it adds to a critic step, for `ganlip strategies`
    recipe: ClassVar[OptimizerRecipe | None] = None  # on images
    toy_recipe: ClassVar[OptimizerRecipe | None] = None  # on 2-D points, where the source differs
    traits: ClassVar[frozenset[Trait]] = frozenset()  # what it does beyond its hooks: see `Trait`
    # Reparametrizations stack in this order, lowest innermost (applied to the raw weight first).
    stack_order: ClassVar[int] = 0
    # The activation its source builds critics with where it is not ReLU (bjorck: GroupSort). Models built for
    # a strategy (the critic-only benchmark) follow it; `ganlip train` uses the config's `critic_activation`.
    critic_activation: ClassVar[str | None] = None
    # The critic family (`ganlip.models.build_critic`) a strategy is, where its method is an architecture (sll,
    # cpl): built in place of the architecture's critic, by `ganlip train` and the benchmark alike.
    critic: ClassVar[str | None] = None

    def recipe_for(self, data_kind: str) -> OptimizerRecipe | None:
        """The recipe for "images" or "points" (2-D toys)."""
        return (self.toy_recipe if data_kind == "points" else None) or self.recipe

    def attach(self, critic: nn.Module) -> nn.Module:
        return critic

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return real.new_zeros(())

    def due(self, critic_step: int) -> bool:
        """Whether the penalty is computed at critic step `critic_step` (counted from 0 over the run)."""
        return True

    def projects_at(self, critic_step: int) -> bool:
        """Whether `after_step` runs after critic step `critic_step` (counted from 0 over the run). The critic
        update (`update_critic`, `CriticUpdate`) asks each part; `after_step` itself always projects."""
        return True

    def conditional_refusal(self) -> str | None:
        """Why the strategy cannot constrain a class-conditional critic, in one sentence with the fix; None where it
        can (every strategy whose hooks see the critic as `critic(x)`, its class bound)."""
        return None

    def scheduled_penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        """The penalty a critic step adds where it is `due`."""
        return self.penalty(critic, real, fake)

    def after_step(self, critic: nn.Module) -> None:
        pass

    @property
    def parts(self) -> list[Constraint]:
        return [self]

    def __str__(self) -> str:
        params = ",".join(f"{f.name}={getattr(self, f.name)}" for f in parameters(type(self)))
        return f"{self.name}:{params}" if params else self.name


@dataclass
class Penalty(Constraint):
    """A strategy that adds a scalar to the critic loss. `every=k` computes it on one critic step in k, weighted k
    times, so that its sum over the steps keeps its scale (lazy regularization, Karras et al. 2020, StyleGAN2
    section 3.1); a penalty's own parameters come first in its spec, `every` last."""

    every: int = dataclasses.field(default=1, kw_only=True)
    kind = "penalty"

    def due(self, critic_step: int) -> bool:
        return critic_step % self.every == 0

    def scheduled_penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        penalty = self.penalty(critic, real, fake)
        reporting.report(f"{self.name}/penalty", penalty)  # unweighted: the penalty's own value where computed
        return penalty if self.every == 1 else self.every * penalty


def parameters(cls: type[Constraint]) -> list[dataclasses.Field]:
    """A strategy's parameters in the order its spec and `__init__` take them (keyword-only ones, `every`, last)."""
    if not dataclasses.is_dataclass(cls):
        return []
    fields = [field for field in dataclasses.fields(cls) if field.init]
    return [field for field in fields if not field.kw_only] + [field for field in fields if field.kw_only]


class Composite(Constraint):
    """Several strategies at once. Reparametrizations stack by `stack_order` (weight standardization, then a
    normalization), whatever order the spec names them in; penalties add up; projections run after each critic
    step in the order named. Two normalizations of the same weight (e.g. `sn+fn`) are refused."""

    def __init__(self, parts: list[Constraint]):
        names = [part.name for part in parts]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise GanlipError(f"constraint '{repeated[0]}' is named twice; give each strategy once.")
        for conflict in CONFLICTS:
            for first, second in itertools.permutations(parts, 2):
                if conflict.first in first.traits and conflict.second in second.traits:
                    raise GanlipError(conflict.message.format(first=first.name, second=second.name))
        self._parts = parts

    @property
    def parts(self) -> list[Constraint]:
        return list(self._parts)

    @property
    def traits(self) -> frozenset[Trait]:  # type: ignore[override]
        return frozenset().union(*(part.traits for part in self._parts))

    @property
    def recipe(self) -> OptimizerRecipe | None:  # type: ignore[override]
        return self.recipe_for("images")

    @property
    def critic_activation(self) -> str | None:  # type: ignore[override]
        return next((part.critic_activation for part in self._parts if part.critic_activation), None)

    @property
    def critic(self) -> str | None:  # type: ignore[override]
        return next((part.critic for part in self._parts if part.critic), None)

    def recipe_for(self, data_kind: str) -> OptimizerRecipe | None:
        return next((r for part in self._parts if (r := part.recipe_for(data_kind)) is not None), None)

    def conditional_refusal(self) -> str | None:
        return next((reason for part in self._parts if (reason := part.conditional_refusal()) is not None), None)

    def attach(self, critic: nn.Module) -> nn.Module:
        for part in sorted(self._parts, key=lambda part: part.stack_order):
            critic = part.attach(critic)
        return critic

    def penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        return sum((part.penalty(critic, real, fake) for part in self._parts), real.new_zeros(()))

    def after_step(self, critic: nn.Module) -> None:
        for part in self._parts:
            part.after_step(critic)

    def __str__(self) -> str:
        return "+".join(str(part) for part in self._parts)


def scores_and_penalty(
    constraint: Constraint, critic: nn.Module, real: Tensor, fake: Tensor, critic_step: int
) -> tuple[Tensor, Tensor, Tensor]:
    """`D(real)`, `D(fake)` (one forward pass) and the penalty of critic step `critic_step`: the penalties due at
    this step, each weighted by its `every`.

    Scoring a gradient penalty's interpolates in that same forward pass is slower, measured: the double backward
    then runs through the whole stacked batch, real and fake rows included (2.93x an unconstrained step on the
    32-px DCGAN against 1.63x with a forward pass of their own)."""
    scores = per_sample(critic(torch.cat([real, fake])), len(real) + len(fake))
    penalty = real.new_zeros(())
    for part in constraint.parts:
        if part.due(critic_step):
            penalty = penalty + part.scheduled_penalty(critic, real, fake)
    return scores[: len(real)], scores[len(real) :], penalty


def register(name: str):
    """Class decorator: make a strategy a dataclass (its annotated fields are its parameters, with defaults)
    and available under `name` (its CLI spelling). The one decorator a strategy needs."""

    def decorate(cls: type[Constraint]) -> type[Constraint]:
        cls = dataclasses.dataclass(cls)
        cls.name = name
        return _REGISTRY.add(name, cls)

    return decorate


def available() -> list[str]:
    return _REGISTRY.names()


def describe() -> list[dict[str, str]]:
    """One row per strategy: name, kind, parameters with defaults, extra cost, the docstring's first line."""
    rows = []
    for name in available():
        cls = _REGISTRY[name]
        settings = ", ".join(f"{f.name}={f.default}" for f in parameters(cls)) or "-"
        summary = (cls.__doc__ or "").strip().split("\n")[0]
        recipes = "; ".join(
            f"{kind}: {_describe_recipe(recipe)}"
            for kind, recipe in (("images", cls.recipe), ("2-D toys", cls.toy_recipe or cls.recipe))
            if recipe is not None
        )
        rows.append(
            {
                "name": name,
                "kind": cls.kind,
                "parameters": settings,
                "cost": cls.cost,
                "summary": summary,
                "recipe": recipes or "-",
            }
        )
    return rows


def _describe_recipe(recipe: OptimizerRecipe) -> str:
    optimizer = f"{recipe.name} {recipe.lr:g}" + (f" betas {recipe.betas}" if recipe.name == "adam" else "")
    training = [f"{key}={value}" for key, value in recipe.settings().items() if key not in ("optimizer", "lr", "betas")]
    params = ", ".join([*training, *(f"{key}={value}" for key, value in recipe.params)])
    return optimizer + (f", {params}" if params else "") + (f" ({recipe.source})" if recipe.source else "")


def strategy_class(name: str) -> type[Constraint]:
    return _REGISTRY[name]


def build(spec: str | list[str] | tuple[str, ...]) -> Constraint:
    """A strategy from its spec: `name[:key=value,...]`, several joined by `+` (e.g. `sn+gp:weight=10`)."""
    text = "+".join(spec) if isinstance(spec, (list, tuple)) else spec
    parts = [_build_one(part.strip()) for part in _split_spec(text) if part.strip()]
    if not parts:
        raise GanlipError(f"constraint spec '{text}' names no strategy; valid: {', '.join(available())}.")
    return parts[0] if len(parts) == 1 else Composite(parts)


def with_recipe_params(spec: str, data_kind: str, params: Callable[[Constraint], Any] | None = None) -> str:
    """`spec` with the parameters each strategy's recipe for `data_kind` sets, where the spec leaves them out
    (`gp` on 2-D points reads `gp:weight=0.1`, WGAN-GP's toy setting); `params(strategy)` gives other pairs to
    fill in instead of the recipe's."""
    pieces = []
    for piece in (p.strip() for p in _split_spec(spec) if p.strip()):
        given_params = piece.partition(":")[2]
        strategy = _build_one(piece)
        recipe = strategy.recipe_for(data_kind)
        filled = params(strategy) if params is not None else (recipe.params if recipe else ())
        given = {assignment.partition("=")[0].strip() for assignment in given_params.split(",") if assignment.strip()}
        missing = [f"{key}={value}" for key, value in filled if key not in given]
        pieces.append(piece + (("," if given_params else ":") + ",".join(missing) if missing else ""))
    return "+".join(pieces)


def _split_spec(text: str) -> list[str]:
    """The strategies a spec joins with `+` (no parameter value contains one)."""
    return text.split("+")


def _build_one(text: str) -> Constraint:
    name, _, params = text.partition(":")
    cls = strategy_class(name.strip())
    fields = {f.name: f for f in parameters(cls)}
    types = typing.get_type_hints(cls) if fields else {}
    kwargs: dict[str, Any] = {}
    for assignment in filter(None, (p.strip() for p in params.split(","))):
        key, sep, value = assignment.partition("=")
        key = key.strip()
        if not sep:
            raise GanlipError(f"strategy parameter '{assignment}' in '{text}' must read key=value.")
        if key not in fields:
            valid = ", ".join(fields) or "none"
            raise GanlipError(f"strategy '{cls.name}' has no parameter '{key}'; its parameters: {valid}.")
        kwargs[key] = _parse_value(cls.name, key, value.strip(), types[key])
    strategy = cls(**kwargs)
    if isinstance(strategy, Penalty):
        every = strategy.every
        require(every >= 1, f"{cls.name}: every must be at least 1, got {every}; StyleGAN2 applies R1 every 16 steps.")
    return strategy


def _parse_value(strategy: str, key: str, text: str, kind: type) -> Any:
    try:
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "1")
        return kind(text)
    except ValueError:
        raise GanlipError(f"{strategy}: parameter '{key}' must be {kind.__name__}, got '{text}'.") from None


def require(condition: bool, message: str) -> None:
    """Raise a GanlipError with `message` unless `condition` holds (for parameter checks in __post_init__)."""
    if not condition:
        raise GanlipError(message)


def require_zero_padding(strategy: str, layer: nn.Module, allowed: tuple[str, ...] = ("zeros",)) -> None:
    """Refuse a convolution padded otherwise than with zeros (or `allowed`), for strategies whose bound assumes
    it."""
    mode = getattr(layer, "padding_mode", "zeros")
    require(
        mode in allowed,
        f"{strategy}: its bound holds for zero-padded convolutions, not padding_mode='{mode}' (reflected or repeated "
        f"pixels enter the convolution more than once); use padding_mode='zeros' or sn in matrix mode.",
    )


def require_one_of(strategy: str, key: str, value: str, valid: tuple[str, ...]) -> None:
    require(value in valid, f"{strategy}: {key} must be one of {', '.join(valid)}, got '{value}'.")


def reparametrize(critic: nn.Module, make: Callable[[nn.Module], nn.Module | None]) -> nn.Module:
    """Register `make(layer)` as the weight parametrization of every weighted layer (None leaves the layer be),
    so that `layer.weight` is the effective weight and the raw one is `parametrizations.weight.original`."""
    for _, layer in list(weighted_layers(critic)):
        parametrization = make(layer)
        if parametrization is not None:
            parametrize.register_parametrization(layer, "weight", parametrization)
    return critic
