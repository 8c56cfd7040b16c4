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


class Interrupted(GanlipError):
    """Training stopped on a signal after saving a checkpoint; the CLI exits with the shell's code for it."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code
