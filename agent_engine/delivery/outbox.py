"""The shipper's outbox: batches that could not be delivered wait here, with their keys, for
a later `flush`. Each entry is a gzipped batch plus a small JSON record written after it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent_engine.files import write_atomic


@dataclass(frozen=True, slots=True)
class Entry:
    """One queued batch: its Idempotency-Key and where its body is."""

    key: str
    body: Path
    record: Path
    queued_at: str

    def read(self) -> bytes:
        return self.body.read_bytes()


class Outbox:
    """A spool directory. Entries are written atomically (body, then record); `claim` takes an
    exclusive lock, so concurrent flushes never send the same entry at once, and a killed
    flush leaves the entry for the next one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, key: str, body: bytes) -> Entry:
        """Queue a batch under its key (the same key twice keeps one entry, the latest body)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = hashlib.sha256(key.encode()).hexdigest()[:32]
        body_path = self.folder / f"{stem}.batch.gz"
        record = self.folder / f"{stem}.json"
        tmp = body_path.with_suffix(".tmp")
        tmp.write_bytes(body)
        os.replace(tmp, body_path)
        queued_at = datetime.now(UTC).isoformat()
        write_atomic(record, json.dumps({"key": key, "queued_at": queued_at}) + "\n")
        return Entry(key, body_path, record, queued_at)

    def entries(self) -> list[Entry]:
        """Complete entries, oldest first (an entry without its record is still being written)."""
        found = []
        for record in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                data = json.loads(record.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            body = record.with_name(record.name.removesuffix(".json") + ".batch.gz")
            if body.exists():
                found.append(Entry(data["key"], body, record, data.get("queued_at", "")))
        return sorted(found, key=lambda e: e.queued_at)

    @contextmanager
    def claim(self, entry: Entry) -> Iterator[bool]:
        """An exclusive, non-blocking lock on the entry; False when another flush holds it."""
        try:
            handle = entry.record.open("rb")
        except FileNotFoundError:
            yield False  # another flush delivered it meanwhile
            return
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield entry.record.exists()

    def remove(self, entry: Entry) -> None:
        """Drop a delivered entry: the record first, so a crash never leaves a record alone."""
        entry.record.unlink(missing_ok=True)
        entry.body.unlink(missing_ok=True)

    def park(self, entry: Entry, reason: str) -> Path:
        """Move an entry the receiver refused for good to `failed/`, with the reason."""
        failed = self.folder / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        os.replace(entry.body, failed / entry.body.name)
        write_atomic(
            failed / entry.record.name,
            json.dumps({"key": entry.key, "queued_at": entry.queued_at, "refused": reason}) + "\n",
        )
        entry.record.unlink(missing_ok=True)
        return failed / entry.body.name
