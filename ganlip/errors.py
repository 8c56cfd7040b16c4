"""The one exception type for user mistakes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GanlipError(Exception):
    """A mistake in the user's input. The message names the problem and the fix."""


def unknown_name(kind: str, name: str, valid: Iterable[str]) -> GanlipError:
    """An error for a name that is not among `valid`, suggesting the closest one."""
    valid = sorted(valid)
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return GanlipError(f"unknown {kind} '{name}'.{hint} Valid: {', '.join(valid)}.")
