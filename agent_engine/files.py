"""Atomic file writes: a killed step never leaves half a document behind."""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path

from pydantic import BaseModel


def write_atomic(path: Path, text: str | bytes) -> Path:
    """Write `text` (UTF-8) or bytes to a temporary file beside `path`, fsync it, then rename it:
    `path` only ever holds the old document or the whole new one. Temporaries left by a
    writer that was killed are removed by the next write of the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with suppress(OSError):
            stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode() if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_model(path: Path, model: BaseModel) -> Path:
    """Write a contract document as indented JSON, atomically."""
    return write_atomic(path, model.model_dump_json(indent=2) + "\n")
