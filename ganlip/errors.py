"""What stops ganlip, each with the exit code the CLI gives it: a usage error (2), a divergence (3), a storage error
(4), a run stopped on request (the signal's code)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GanlipError(Exception):
    """A mistake in the user's input (a usage error), and the base of ganlip's other stops. The message names the
    problem and the fix; the CLI prints it as one line and exits with `exit_code`."""

    exit_code = 2


class Diverged(GanlipError):
    """Training produced a non-finite loss or weight; the last good checkpoint is kept."""

    exit_code = 3


class StorageError(GanlipError):
    """A file could not be written (a full disk, no permission); the previous file is untouched."""

    exit_code = 4


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
