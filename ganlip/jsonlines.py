"""Reading back the JSON and JSON-lines files ganlip writes (metrics.jsonl, export sidecars, benchmark results),
tolerant of the one damage a kill can do: a last line cut short mid-write."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ganlip.errors import GanlipError


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON-lines file. A last line that does not parse is a torn write (a process killed while
    writing it) and is left out; an unparsable line before it is an error that names the file and the line."""
    return _parse(path)[0]


def repair_torn_line(path: Path) -> str | None:
    """Truncate a torn last line away (keeping every complete line), and say so; None when there is none."""
    if not path.is_file():
        return None
    _, torn_at = _parse(path)
    if torn_at is None:
        return None
    with open(path, "rb+") as file:
        file.truncate(torn_at)
        os.fsync(file.fileno())
    return f"{path}: its last line was cut short (a write interrupted by a kill) and is dropped."


def read_json(path: Path) -> Any:
    """A JSON file ganlip wrote, with an error that names the file when it does not parse."""
    try:
        return json.loads(path.read_bytes())
    except ValueError as error:
        raise GanlipError(
            f"{path} is not valid JSON ({' '.join(str(error).split())}); it was damaged after ganlip wrote it: "
            f"restore it or write it again."
        ) from None


def _parse(path: Path) -> tuple[list[dict[str, Any]], int | None]:
    """The parsed lines, and the byte offset of a torn last line (None when the file ends cleanly)."""
    data = path.read_bytes()
    pieces = data.split(b"\n")
    last = max((i for i, piece in enumerate(pieces) if piece.strip()), default=-1)
    lines, offset = [], 0
    for number, piece in enumerate(pieces):
        start, offset = offset, offset + len(piece) + 1
        if not piece.strip():
            continue
        try:
            lines.append(json.loads(piece))
        except ValueError as error:
            if number == last:
                return lines, start
            raise GanlipError(
                f"{path}, line {number + 1}, is not valid JSON ({' '.join(str(error).split())}); only a last line "
                f"cut short by a kill is skipped. Remove or mend that line."
            ) from None
    return lines, None
