"""Architecture registry: a name maps to a builder of (generator, critic) and its default sizes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from ganlip.errors import GanlipError
from ganlip.registry import Registry

Builder = Callable[..., tuple[nn.Module, nn.Module]]


@dataclass(frozen=True)
class Family:
    """An architecture family. `builder(data_shape, latent_dim=..., width=...)` returns (G, D); G maps
    latents `(B, latent_dim)` to samples of `data_shape`, D maps samples to scores `(B,)`."""

    name: str
    builder: Builder
    data_kind: str  # "points" (vectors) or "images" (C, H, W)
    sizes: dict[str, Any] = field(default_factory=dict)
    resolutions: tuple[int, ...] = ()


_FAMILIES: Registry[Family] = Registry("architecture")
# Critics that are a Lipschitz method of their own (residual blocks 1-Lipschitz by construction): a strategy names
# one (`Constraint.critic`) and it replaces the architecture's critic. `builder(data_shape, width=None)`.
_CRITICS: Registry[Callable[..., nn.Module]] = Registry("critic")


def register_model(name: str, data_kind: str, resolutions: tuple[int, ...] = (), **sizes: Any):
    """Function decorator: make an architecture available under `name` with its default sizes."""

    def decorate(builder: Builder) -> Builder:
        _FAMILIES.add(name, Family(name, builder, data_kind, dict(sizes), resolutions))
        return builder

    return decorate


def register_critic(name: str):
    """Function decorator: make a critic family available under `name` (`build_critic`)."""

    def decorate(builder: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        _CRITICS.add(name, builder)
        return builder

    return decorate


def available_critics() -> list[str]:
    return _CRITICS.names()


def build_critic(name: str, data_shape: tuple[int, ...], width: int | None = None) -> nn.Module:
    """The critic family `name` for samples of `data_shape`; `width` its channels or features (its default)."""
    return _CRITICS[name](tuple(data_shape), width)


def available_models() -> list[str]:
    return _FAMILIES.names()


def family(name: str) -> Family:
    return _FAMILIES[name]


# The model sizes a config can set; every family's sizes are among them (a test holds this).
SIZE_KEYS = ("latent_dim", "width", "depth", "critic_norm", "critic_activation", "num_classes")


def sizes_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """The model sizes a config (or a checkpoint's config dict) sets: those of SIZE_KEYS that are not None."""
    return {key: values[key] for key in SIZE_KEYS if values.get(key) is not None}


def require_conditional(name: str) -> None:
    """Refuse an architecture without a class-conditional variant (one whose builder takes `num_classes`)."""
    if "num_classes" not in family(name).sizes:
        conditional = [f.name for f in _FAMILIES.values() if "num_classes" in f.sizes]
        raise GanlipError(
            f"architecture '{name}' has no class-conditional variant; use --arch {' or '.join(conditional)} with "
            f"conditional=true, or train unconditionally."
        )


def build_model(name: str, data_shape: tuple[int, ...], **sizes: Any) -> tuple[nn.Module, nn.Module]:
    """(generator, critic) of architecture `name` for samples of `data_shape`; unset sizes take defaults. With
    `num_classes`, the family's class-conditional pair: `G(z, y)` and a projection critic `D(x, y)`."""
    chosen = family(name)
    kind = "points" if len(data_shape) == 1 else "images"
    if kind != chosen.data_kind:
        fitting = [f.name for f in _FAMILIES.values() if f.data_kind == kind]
        raise GanlipError(
            f"architecture '{name}' works on {chosen.data_kind}, but the data are {kind} of shape "
            f"{tuple(data_shape)}; use --arch {' or '.join(fitting)}."
        )
    if kind == "images" and chosen.resolutions and data_shape[-1] not in chosen.resolutions:
        valid = ", ".join(map(str, chosen.resolutions))
        raise GanlipError(
            f"architecture '{name}' is built for resolutions {valid}, not {data_shape[-1]}; "
            f"set --set resolution=N with one of those."
        )
    if sizes.get("num_classes") is not None:
        require_conditional(name)
    unknown = sorted(set(sizes) - set(chosen.sizes) - {"num_classes"})
    if unknown:
        having = [f.name for f in _FAMILIES.values() if unknown[0] in f.sizes]
        raise GanlipError(
            f"architecture '{name}' has no size '{unknown[0]}' (only {', '.join(having) or 'none'}); "
            f"its sizes: {', '.join(chosen.sizes)}."
        )
    resolved = {**chosen.sizes, **{k: v for k, v in sizes.items() if v is not None and k in chosen.sizes}}
    return chosen.builder(tuple(data_shape), **resolved)


def parameter_counts(name: str, channels: int = 3) -> list[tuple[int | None, int, int]]:
    """(resolution, generator parameters, critic parameters) at the default sizes, for each resolution."""
    chosen = family(name)
    shapes = [(channels, r, r) for r in chosen.resolutions] if chosen.data_kind == "images" else [(2,)]
    rows = []
    for shape in shapes:
        generator, critic = build_model(name, shape)
        counts = [sum(p.numel() for p in module.parameters()) for module in (generator, critic)]
        rows.append((shape[-1] if len(shape) == 3 else None, counts[0], counts[1]))
    return rows


CRITIC_SHAPES = ((3, 32, 32), (2,))  # where `ganlip models` counts a critic family's parameters


def critic_parameter_counts(name: str) -> list[tuple[int | None, int]]:
    """(resolution, critic parameters) of critic family `name` at its default sizes, on 32-px images and 2-D points."""
    return [
        (shape[-1] if len(shape) == 3 else None, sum(p.numel() for p in build_critic(name, shape).parameters()))
        for shape in CRITIC_SHAPES
    ]
