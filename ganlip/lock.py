"""One writer per directory: an exclusive OS file lock (`fcntl.flock`) on a file inside it, held for as long as a
process writes there. The OS releases it when the process ends, however it ends, so a killed run never leaves a
stale lock behind; the file keeps the holder's pid and host so that a refused writer can say who holds it."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

from ganlip.errors import GanlipError

LOCK_FILE = ".ganlip.lock"


class DirectoryLock:
    """`with DirectoryLock(directory, "train"):` holds the directory's lock, or raises a GanlipError at once
    (exit 2) that names the directory and the process holding it. Readers never take it."""

    def __init__(self, directory: str | Path, what: str = "ganlip"):
        self.directory, self.what = Path(directory), what
        self._descriptor: int | None = None

    def __enter__(self) -> DirectoryLock:
        path = self.directory / LOCK_FILE
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise GanlipError(
                f"cannot write the run directory {self.directory} ({error.strerror or error}); choose another --out."
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise GanlipError(
                f"{self.directory} is being written by {describe_holder(path)}; wait for it to finish, stop it, "
                f"or choose another --out. (One process writes a run directory at a time.)"
            ) from None
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "what": self.what,
            "since": time.strftime("%Y-%m-%d %H:%M:%S"),
            "command": " ".join(sys.argv),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, (json.dumps(holder) + "\n").encode(), 0)
        self._descriptor = descriptor
        return self

    def __exit__(self, *_) -> None:
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None


def describe_holder(path: Path) -> str:
    """`ganlip train (pid 1234 on host-a, since ...)`, from what the holder wrote into the lock file."""
    try:
        holder = json.loads(path.read_text())
        return f"{holder['what']} (pid {holder['pid']} on {holder['host']}, since {holder['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it has not yet written its pid)"
