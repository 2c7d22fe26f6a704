"""Atomic file writes: a killed step never leaves half a document behind."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from pydantic import BaseModel


def write_atomic(path: Path, text: str) -> Path:
    """Write `text` so that `path` only ever holds the old document or the whole new one.

    On Linux the bytes go to an unnamed file (O_TMPFILE) that gets a name only once it is
    complete and synced, so a kill at any moment leaves no partial file at all; elsewhere a
    named temporary beside the target is renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if hasattr(os, "O_TMPFILE"):
        try:
            return _via_unnamed_file(path, data)
        except OSError:
            pass  # a file system without O_TMPFILE: fall back to a named temporary
    return _via_named_file(path, data)


def _via_unnamed_file(path: Path, data: bytes) -> Path:
    fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
        named = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
        os.link(f"/proc/self/fd/{fd}", named)  # complete and synced before it has a name
    finally:
        os.close(fd)
    try:
        os.replace(named, path)
    except BaseException:
        named.unlink(missing_ok=True)
        raise
    return path


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _via_named_file(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
