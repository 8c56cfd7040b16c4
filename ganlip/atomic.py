"""Atomic writes: every file ganlip writes is either the old one or the complete new one, never a torn mix, and a
write that fails (a full disk, a read-only filesystem, no permission) leaves no temporary file behind and stops
with one line that names the path, the cause and the space it needed."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ganlip.errors import StorageError

# What torch's zip writer says when the disk under it fails (it raises RuntimeError, not OSError).
_TORCH_WRITER_FAILURES = ("PytorchStreamWriter failed", "file write failed", "unexpected pos")
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the filesystem is read-only",
    errno.EACCES: "permission is denied",
    errno.EPERM: "permission is denied",
}


def temporary_path(path: Path) -> Path:
    """The hidden file beside `path` that a write goes to first (same directory, so the rename is atomic)."""
    return path.with_name(f".{path.name}.tmp")


@contextmanager
def atomic_path(path: str | Path, fix: str = "free disk space or choose another --out") -> Iterator[Path]:
    """Yield a temporary path beside `path` for a writer that takes a file name (torch.save, safetensors,
    matplotlib, torchvision); when the block ends, fsync it and rename it over `path`, then fsync the directory.
    On any failure the temporary file is removed and `path` is untouched; a failing disk becomes a StorageError
    that says `fix`."""
    path = Path(path)
    temporary = temporary_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield temporary
        _fsync_file(temporary)
        os.replace(temporary, path)
        fsync_directory(path.parent)
    except OSError as error:
        written = _size(temporary)
        temporary.unlink(missing_ok=True)
        raise write_error(path, error, written, fix) from None
    except RuntimeError as error:
        written = _size(temporary)
        temporary.unlink(missing_ok=True)
        if not any(words in str(error) for words in _TORCH_WRITER_FAILURES):
            raise
        raise write_error(path, error, written, fix) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes, fix: str = "free disk space or choose another --out") -> None:
    with atomic_path(path, fix) as temporary, open(temporary, "wb") as file:
        file.write(data)


def write_text(path: str | Path, text: str, fix: str = "free disk space or choose another --out") -> None:
    write_bytes(path, text.encode(), fix)


def write_error(path: Path, error: Exception, written: int, fix: str) -> StorageError:
    """One line: which file, why, how much space it needed against what is free, and what to do."""
    code = getattr(error, "errno", None)
    cause = _CAUSES.get(code) if isinstance(code, int) else None
    if cause is None and isinstance(error, OSError) and error.strerror:
        cause = error.strerror
    if cause is None:  # torch's writer hides the errno; the free space tells whether the disk is full
        cause = "the disk is full" if _free(path.parent) < max(written, 1) * 2 else f"the write failed ({error})"
    needed = max(written, _size(path))
    space = f"; it needed about {_megabytes(needed)} and {_megabytes(_free(path.parent))} are free" if needed else ""
    return StorageError(f"could not write {path}: {cause}{space}. The previous file is untouched; {fix}.")


def fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as file:
        os.fsync(file.fileno())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _free(directory: Path) -> int:
    try:
        return shutil.disk_usage(directory).free
    except OSError:
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"
