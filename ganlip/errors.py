"""The exception for user mistakes, and the one for a run stopped on request."""

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


class Interrupted(Exception):
    """Training stopped on a signal after saving a checkpoint: no mistake, so not a GanlipError. The CLI prints
    the message (how to resume) and exits with the shell's code for the signal."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code
