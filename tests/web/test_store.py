"""The store on SQLite and on the machine's PostgreSQL: idempotency by the database, history,
listings, and a clear error when the database is down."""

from __future__ import annotations

import sqlite3
import threading
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from agent_engine.errors import ConfigError, IdempotencyConflictError, StoreUnavailableError
from agent_engine.web.store import PostgresStore, SQLiteStore, SqlStore, StoredRun, open_store


def record(n: int = 1, **overrides: object) -> StoredRun:
    base = StoredRun(
        run_key=f"acme~shop~{n}~1~e2e",
        idempotency_key=f"key-{n}",
        body_sha256=f"sha-{n}",
        repository="acme/shop",
        run_id=str(n),
        run_attempt=1,
        job="e2e",
        sha="0123456789abcdef0123456789abcdef01234567",
        ref="refs/pull/7/merge",
        base_ref="main",
        pr_number=7,
        outcome="failure",
        error_type="locator_not_found",
        signature="locator_not_found:0123456789abcdef",
        confidence=0.9,
        batch_json=b'{"logs": []}',
        analysis_json=f'{{"run": {n}}}',
        tests=[("t.py::test_a", "failed"), ("t.py::test_b", "passed")],
        created_at=f"2026-11-21T10:00:{n:02d}+00:00",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_a_new_run_is_stored_and_read_back(store: SqlStore) -> None:
    assert store.save(record()) == ('{"run": 1}', False)
    assert store.analysis("acme~shop~1~1~e2e") == '{"run": 1}'
    assert store.batch("acme~shop~1~1~e2e") == b'{"logs": []}'
    assert store.analysis("nope") is None
    assert store.count() == 1


def test_the_same_key_and_body_is_a_duplicate_and_another_body_a_conflict(store: SqlStore) -> None:
    store.save(record())
    again = record(analysis_json='{"other": 1}')
    assert store.save(again) == ('{"run": 1}', True)
    with pytest.raises(IdempotencyConflictError, match="different body"):
        store.save(record(body_sha256="another"))
    with pytest.raises(IdempotencyConflictError):
        store.save(record(idempotency_key="fresh-key", body_sha256="another"))
    assert store.count() == 1


def test_the_batch_is_stored_compressed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.migrate()
    big = b'{"logs": "' + b"x" * 100_000 + b'"}'
    store.save(record(batch_json=big))
    raw = sqlite3.connect(tmp_path / "s.db").execute("SELECT batch FROM runs").fetchone()[0]
    assert len(raw) < 2_000
    assert zlib.decompress(raw) == big


def test_migrate_twice_is_harmless(store: SqlStore) -> None:
    store.migrate()
    store.save(record())
    store.migrate()
    assert store.count() == 1


def test_history_counts_signature_flaky_tests_and_the_base_branch(store: SqlStore) -> None:
    store.save(record(1))
    store.save(
        record(
            2,
            tests=[("t.py::test_a", "passed")],
            error_type="unknown",
            signature="unknown:0000000000000000",
        )
    )
    store.save(record(3, ref="refs/heads/main", sha="f" * 40, tests=[]))
    current = record(4)
    history = store.history(current, ["t.py::test_a", "t.py::test_c"])
    assert history.seen_before == 2  # runs 1 and 3 share the signature
    assert history.first_seen == "2026-11-21T10:00:01+00:00"
    assert history.last_seen == "2026-11-21T10:00:03+00:00"
    assert history.flaky_tests == ["t.py::test_a"]  # failed here, passed on the same sha
    assert history.failing_on_base is True
    lonely = store.history(record(5, signature="other:1", base_ref="", sha=""), [])
    assert (lonely.seen_before, lonely.flaky_tests, lonely.failing_on_base) == (0, [], False)


def test_runs_are_listed_newest_first_and_filtered(store: SqlStore) -> None:
    for n in (1, 2, 3):
        store.save(record(n))
    store.save(record(4, repository="acme/other"))
    runs = store.runs("acme/shop", 2)
    assert [r.run_id for r in runs] == ["3", "2"]
    assert {r.repository for r in store.runs(None, 10)} == {"acme/shop", "acme/other"}


def test_r2_concurrent_saves_of_one_key_store_one_run(store: SqlStore) -> None:
    """R2 at the store: 20 threads, one key; one stores, 19 read the stored analysis."""
    answers: list[tuple[str, bool]] = []
    barrier = threading.Barrier(20)

    def post(i: int) -> None:
        barrier.wait()
        answers.append(store.save(record(analysis_json=f'{{"writer": {i}}}')))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count() == 1
    assert sorted(d for _, d in answers) == [False] + [True] * 19
    assert len({a for a, _ in answers}) == 1


def test_a_database_that_is_down_is_store_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="SQLite store"):
        SQLiteStore(tmp_path / "missing-dir" / "x.db").ping()
    down = PostgresStore("postgresql://127.0.0.1:9/none", timeout_s=1)
    with pytest.raises(StoreUnavailableError, match="PostgreSQL store"):
        down.ping()
    down.close()


def test_open_store_by_url(tmp_path: Path, pg_url: str) -> None:
    assert isinstance(open_store(f"sqlite:///{tmp_path}/a/b.db"), SQLiteStore)
    assert (tmp_path / "a").is_dir()
    pg = open_store(pg_url)
    assert isinstance(pg, PostgresStore)
    pg.close()
    with pytest.raises(ConfigError, match="AGENT_ENGINE_DATABASE_URL"):
        open_store("mysql://x")


def test_a_sqlite_error_inside_a_transaction_is_store_unavailable(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "fresh.db")  # not migrated: no tables yet
    with pytest.raises(StoreUnavailableError, match="no such table"):
        store.save(record())
    store.migrate()  # the broken connection was dropped; a new one works
    assert store.save(record()) == ('{"run": 1}', False)
