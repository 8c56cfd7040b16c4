"""The resume policy: the resolved config of a new run, or of a resumed one with its checkpoint, which keys a
resumed run may change, and the defaults an older run keeps."""

from __future__ import annotations

from pathlib import Path

from ganlip import config as config_module
from ganlip.checkpoint import resumable
from ganlip.config import Config
from ganlip.constraints.base import with_recipe_params
from ganlip.errors import GanlipError
from ganlip.resolution import resolve

# Config keys a resumed run may change; the rest must match the checkpoint.
RESUMABLE_CHANGES = (
    "steps",
    "device",
    "num_workers",
    "log_every",
    "sample_every",
    "checkpoint_every",
    "keep_checkpoints",
    "measure_every",
    "score_every",
    "quiet",
)


def prepare(
    config: Config, resume: str | Path | None = None, changes: dict | None = None
) -> tuple[Config, dict | None]:
    """The resolved config of a new run, or of a resumed one with its checkpoint."""
    if resume is None:
        config = resolve(config)
        run_dir = Path(config.out or ".")  # resolve names it
        if (run_dir / "checkpoints" / "last.pt").exists():
            raise GanlipError(
                f"{run_dir} already holds a run; continue it with --resume {run_dir} or choose another --out."
            )
        return config, None
    run_dir = Path(resume)
    state, fallback = resumable(run_dir)
    changes = changes or {}
    refused = sorted(set(changes) - set(RESUMABLE_CHANGES))
    if refused:
        raise GanlipError(
            f"cannot change {', '.join(refused)} when resuming; a resumed run may only change "
            f"{', '.join(RESUMABLE_CHANGES)}."
        )
    saved = config_module.from_dict(state["config"])
    if "critic_schedule" not in state["config"]:  # written before the defaults below changed: keep the run's own
        saved = saved.replace(constraint=with_legacy_defaults(saved.constraint))
    return saved.replace(**changes, out=str(run_dir)), {**state, "notes": [fallback] if fallback else []}


# Strategy defaults that changed after runs were written with them bare (`r1`), which a resumed run keeps: r1's
# gamma was 10 and dragan penalized at x + delta itself before they followed their sources' code.
LEGACY_DEFAULTS = {"r1": (("gamma", 10.0),), "r2": (("gamma", 10.0),), "dragan": (("interpolate", False),)}


def with_legacy_defaults(spec: str) -> str:
    """`spec` with the parameters of LEGACY_DEFAULTS filled in where it leaves them out."""
    return with_recipe_params(spec, "images", lambda part: LEGACY_DEFAULTS.get(part.name, ()))
