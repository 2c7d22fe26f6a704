"""Durable storage of batches and their analyses: SQLite (default) or PostgreSQL.

Idempotency is the database's job: a unique Idempotency-Key (and run key) decides which of
several concurrent posts stores its analysis; the others read what was stored.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from agent_engine.contracts import History, RunSummary
from agent_engine.errors import ConfigError, IdempotencyConflictError, StoreUnavailableError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_key TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    body_sha256 TEXT NOT NULL,
    repository TEXT NOT NULL,
    run_id TEXT NOT NULL,
    run_attempt INTEGER NOT NULL,
    job TEXT NOT NULL,
    sha TEXT NOT NULL,
    ref TEXT NOT NULL,
    base_ref TEXT NOT NULL,
    pr_number INTEGER,
    outcome TEXT NOT NULL,
    error_type TEXT NOT NULL,
    signature TEXT NOT NULL,
    confidence REAL NOT NULL,
    created_at TEXT NOT NULL,
    batch {blob} NOT NULL,
    analysis TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_signature ON runs (repository, signature);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs (repository, created_at);
CREATE TABLE IF NOT EXISTS test_results (
    run_key TEXT NOT NULL REFERENCES runs (run_key) ON DELETE CASCADE,
    test_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    repository TEXT NOT NULL,
    sha TEXT NOT NULL,
    PRIMARY KEY (run_key, test_id, outcome)
);
CREATE INDEX IF NOT EXISTS tests_by_sha ON test_results (repository, sha, test_id);
"""
_COLUMNS = (
    "run_key, idempotency_key, body_sha256, repository, run_id, run_attempt, job, sha, ref, "
    "base_ref, pr_number, outcome, error_type, signature, confidence, created_at, batch, analysis"
)
_SUMMARY = (
    "run_key, repository, run_id, run_attempt, job, sha, ref, base_ref, pr_number, outcome, "
    "error_type, signature, confidence, created_at"
)
MAX_HISTORY_TESTS = 500


@dataclass(frozen=True, slots=True)
class StoredRun:
    """What is stored for one batch: its identity, the redacted batch and the analysis."""

    run_key: str
    idempotency_key: str
    body_sha256: str
    repository: str
    run_id: str
    run_attempt: int
    job: str
    sha: str
    ref: str
    base_ref: str
    pr_number: int | None
    outcome: str
    error_type: str
    signature: str
    confidence: float
    batch_json: bytes
    analysis_json: str
    tests: Sequence[tuple[str, str]] = ()  # (test id, outcome)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


@dataclass(frozen=True, slots=True)
class Stored:
    body_sha256: str
    analysis_json: str


class Store(Protocol):
    """What the Developer-Agent needs from storage."""

    def migrate(self) -> None: ...
    def ping(self) -> None: ...
    def find(self, idempotency_key: str, run_key: str) -> Stored | None: ...
    def save(self, record: StoredRun) -> tuple[str, bool]: ...
    def analysis(self, run_key: str, repository: str | None = None) -> str | None: ...
    def runs(self, repository: str | None, limit: int) -> list[RunSummary]: ...
    def history(self, record: StoredRun, failed: Sequence[str]) -> History: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


class SqlStore:
    """The SQL both databases share; subclasses give connections and placeholders."""

    mark = "?"
    blob = "BLOB"

    def _tx(self, write: bool = False) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.mark)

    def migrate(self) -> None:
        with self._tx(write=True) as cur:
            self._lock_schema(cur)
            cur.execute("CREATE TABLE IF NOT EXISTS agent_engine_schema (version INTEGER NOT NULL)")
            cur.execute("SELECT MAX(version) FROM agent_engine_schema")
            version = cur.fetchone()[0] or 0
            if version < SCHEMA_VERSION:
                for statement in _SCHEMA.format(blob=self.blob).split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute(
                    self._sql("INSERT INTO agent_engine_schema (version) VALUES (?)"),
                    (SCHEMA_VERSION,),
                )

    def _lock_schema(self, cur: Any) -> None:
        """Serialise schema changes between instances starting at once."""

    def ping(self) -> None:
        with self._tx() as cur:
            cur.execute("SELECT 1")

    def find(self, idempotency_key: str, run_key: str) -> Stored | None:
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "SELECT body_sha256, analysis FROM runs "
                    "WHERE idempotency_key = ? OR run_key = ?"
                ),
                (idempotency_key, run_key),
            )
            row = cur.fetchone()
        return Stored(row[0], row[1]) if row else None

    def save(self, record: StoredRun) -> tuple[str, bool]:
        """Store the record unless its key is taken: (analysis JSON, duplicate?)."""
        values = (
            record.run_key,
            record.idempotency_key,
            record.body_sha256,
            record.repository,
            record.run_id,
            record.run_attempt,
            record.job,
            record.sha,
            record.ref,
            record.base_ref,
            record.pr_number,
            record.outcome,
            record.error_type,
            record.signature,
            record.confidence,
            record.created_at,
            zlib.compress(record.batch_json, 1),
            record.analysis_json,
        )
        marks = ", ".join("?" * len(values))
        with self._tx(write=True) as cur:
            cur.execute(
                self._sql(
                    f"INSERT INTO runs ({_COLUMNS}) VALUES ({marks}) "  # noqa: S608
                    "ON CONFLICT DO NOTHING"
                ),
                values,
            )
            if cur.rowcount == 1:
                rows = [
                    (record.run_key, t, o, record.repository, record.sha)
                    for t, o in dict.fromkeys(record.tests)
                ]
                if rows:
                    cur.executemany(
                        self._sql(
                            "INSERT INTO test_results (run_key, test_id, outcome, repository, sha) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
                        ),
                        rows,
                    )
                return record.analysis_json, False
        stored = self.find(record.idempotency_key, record.run_key)
        if stored is None:  # pragma: no cover - a conflicting row cannot vanish (no deletes)
            raise StoreUnavailableError("the stored run could not be read back")
        if stored.body_sha256 != record.body_sha256:
            raise IdempotencyConflictError(
                f"run {record.run_key} (key {record.idempotency_key!r}) is already stored "
                "with a different body"
            )
        return stored.analysis_json, True

    def analysis(self, run_key: str, repository: str | None = None) -> str | None:
        """The stored analysis; with `repository`, only when the run is that repository's."""
        with self._tx() as cur:
            cur.execute(
                self._sql("SELECT analysis, repository FROM runs WHERE run_key = ?"), (run_key,)
            )
            row = cur.fetchone()
        if row is None or (repository is not None and row[1] != repository):
            return None
        return str(row[0])

    def batch(self, run_key: str) -> bytes | None:
        """The stored (redacted) batch JSON."""
        with self._tx() as cur:
            cur.execute(self._sql("SELECT batch FROM runs WHERE run_key = ?"), (run_key,))
            row = cur.fetchone()
        return zlib.decompress(bytes(row[0])) if row else None

    def runs(self, repository: str | None, limit: int) -> list[RunSummary]:
        where, params = ("WHERE repository = ?", [repository]) if repository else ("", [])
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    f"SELECT {_SUMMARY} FROM runs {where} "  # noqa: S608
                    "ORDER BY created_at DESC, run_key LIMIT ?"
                ),
                (*params, limit),
            )
            rows = cur.fetchall()
        names = [n.strip() for n in _SUMMARY.split(",")]
        return [RunSummary.model_validate(dict(zip(names, row, strict=True))) for row in rows]

    def history(self, record: StoredRun, failed: Sequence[str]) -> History:
        """What earlier runs say about this signature and these failed tests."""
        # a test id read from a log may hold a NUL: no stored id does (PostgreSQL refuses it)
        failed = [t for t in failed if "\x00" not in t][:MAX_HISTORY_TESTS]
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM runs "
                    "WHERE repository = ? AND signature = ? AND run_key <> ?"
                ),
                (record.repository, record.signature, record.run_key),
            )
            seen, first, last = cur.fetchone()
            flaky: list[str] = []
            if failed and record.sha:
                marks = ", ".join("?" * len(failed))  # placeholders only: values are bound
                query = (
                    "SELECT DISTINCT test_id FROM test_results "  # noqa: S608
                    "WHERE repository = ? AND sha = ? AND outcome = 'passed' "
                    f"AND test_id IN ({marks}) ORDER BY test_id"
                )
                cur.execute(self._sql(query), (record.repository, record.sha, *failed))
                flaky = [row[0] for row in cur.fetchall()]
            on_base = False
            if record.base_ref:
                cur.execute(
                    self._sql(
                        "SELECT COUNT(*) FROM runs WHERE repository = ? AND signature = ? "
                        "AND ref IN (?, ?) AND run_key <> ?"
                    ),
                    (
                        record.repository,
                        record.signature,
                        record.base_ref,
                        f"refs/heads/{record.base_ref}",
                        record.run_key,
                    ),
                )
                on_base = cur.fetchone()[0] > 0
        return History(
            seen_before=seen,
            first_seen=first or "",
            last_seen=last or "",
            flaky_tests=flaky,
            failing_on_base=on_base,
        )

    def count(self) -> int:
        with self._tx() as cur:
            cur.execute("SELECT COUNT(*) FROM runs")
            return int(cur.fetchone()[0])

    def close(self) -> None:
        """Release connections (none are kept by default)."""


class SQLiteStore(SqlStore):
    """One file in WAL mode; a connection per thread, writers in this process in turn."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        # Writers in this process queue here rather than in SQLite's busy handler, whose
        # sleeps (up to 100 ms) made the tail latency; other processes still meet the
        # busy timeout. Readers never wait: WAL gives them a snapshot.
        self._writer = threading.Lock()

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Any]:
        with self._writer if write else nullcontext(), self._connection(write) as cur:
            yield cur

    @contextmanager
    def _connection(self, write: bool) -> Iterator[Any]:
        conn = self._thread_connection()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn.cursor()
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._discard(conn)
            raise StoreUnavailableError(f"SQLite store {self.path}: {exc}") from exc
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    def _thread_connection(self) -> sqlite3.Connection:
        """One connection per thread, kept: opening one per operation cost more than the work."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"SQLite store {self.path}: {exc}") from exc
        self._local.conn = conn
        return conn

    def _discard(self, conn: sqlite3.Connection) -> None:
        with suppress(sqlite3.Error):
            conn.close()
        self._local.conn = None


class PostgresStore(SqlStore):
    """A connection pool opened on first use (nothing connects at import or start-up)."""

    mark = "%s"
    blob = "BYTEA"

    def __init__(self, url: str, max_size: int = 8, timeout_s: float = 5.0) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=0,
            max_size=max_size,
            open=False,
            timeout=timeout_s,
            kwargs={"connect_timeout": 3},
        )
        self._opened = threading.Lock()
        self._open = False

    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[Any]:  # noqa: ARG002 - MVCC: one path
        try:
            self._ensure_open()
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                yield cur
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreUnavailableError(f"PostgreSQL store: {exc}") from exc

    def _ensure_open(self) -> None:
        with self._opened:
            if not self._open:
                self._pool.open(wait=False)
                self._open = True

    def _lock_schema(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(7166796)")

    def close(self) -> None:
        self._pool.close()


def open_store(url: str) -> SqlStore:
    """`sqlite:///relative/path.db`, `sqlite:////absolute.db` or `postgresql://…`."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        with suppress(OSError):  # if it cannot be made, the store answers 503 until it can
            path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteStore(path)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise ConfigError("AGENT_ENGINE_DATABASE_URL must start with sqlite:/// or postgresql://")
