"""R1 drills with real processes (timings shortened): batches shipped across a stopped
Cloud-Agent, a draining one, and a Developer-Agent killed with SIGKILL; every batch stored
exactly once, counted from the store. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import stamina

from agent_engine.cli.ship import main
from agent_engine.delivery.outbox import Outbox
from agent_engine.web.store import open_store
from tests.web.live import Service, services

TOKENS = {"agent": "drill-agent-token-0123", "developer": "drill-developer-token-0123"}
BATCHES = 50
LOG = Path("tests/fixtures/corpus/locator_not_found/sample-app-drift_id/test-output.log")


@pytest.fixture(autouse=True)
def _real_retries() -> Iterator[None]:
    """The drills exercise the real backoff (the other service tests turn its waits off)."""
    with stamina.set_testing(False):
        yield


@pytest.fixture
def pair(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Service, Service]]:
    dev, cloud = services(tmp_path, database_url, TOKENS)
    monkeypatch.setenv("CLOUD_AGENT_URL", cloud.url)
    monkeypatch.setenv("AGENT_TOKEN", TOKENS["agent"])
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    try:
        yield dev, cloud
    finally:
        cloud.stop()
        dev.stop()


def ship(tmp: Path, n: int, deadline: float) -> int:
    return main(
        [
            "ship",
            "--repository",
            "acme/shop",
            "--run-id",
            str(n),
            "--job",
            "e2e",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--deadline",
            str(deadline),
            "--max-wait",
            "0.3",
            "--outbox",
            str(tmp / "outbox"),
            "--out",
            str(tmp / "out" / f"{n}.json"),
            str(LOG),
        ]
    )


def ship_all(tmp: Path, deadline: float) -> list[int]:
    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(lambda n: ship(tmp, n, deadline), range(BATCHES)))


def flush(tmp: Path) -> float:
    started = time.monotonic()
    assert (
        main(["flush", "--outbox", str(tmp / "outbox"), "--deadline", "20", "--max-wait", "0.3"])
        == 0
    )
    return time.monotonic() - started


def stored(database_url: str) -> tuple[int, int]:
    """(rows, distinct run ids) in the store: both must equal BATCHES."""
    store = open_store(database_url)
    try:
        runs = store.runs("acme/shop", 500)
        return store.count(), len({r.run_id for r in runs})
    finally:
        store.close()


def test_r1_cloud_agent_stopped_then_outbox_flushed(
    pair: tuple[Service, Service],
    tmp_path: Path,
    database_url: str,
) -> None:
    dev, cloud = pair
    dev.start()
    assert ship_all(tmp_path, deadline=0.5) == [0] * BATCHES  # the receiver is down
    assert len(Outbox(tmp_path / "outbox").entries()) == BATCHES
    cloud.start()
    results: list[float] = []
    flushes = [threading.Thread(target=lambda: results.append(flush(tmp_path))) for _ in range(2)]
    for thread in flushes:  # two flushes at once: safe
        thread.start()
    for thread in flushes:
        thread.join()
    assert Outbox(tmp_path / "outbox").entries() == []
    assert stored(database_url) == (BATCHES, BATCHES)
    print(
        f"R1 stopped: {BATCHES} queued, {BATCHES} stored once, 0 lost; "
        f"outbox drained in {max(results):.1f}s"
    )


def test_r1_cloud_agent_draining_then_back(
    pair: tuple[Service, Service],
    tmp_path: Path,
    database_url: str,
) -> None:
    dev, cloud = pair
    dev.start()
    cloud.start()
    drain = Path(cloud.env["AGENT_ENGINE_DRAIN_FILE"])
    drain.touch()

    def deploy_window() -> None:
        """The drain ends once it has refused a batch (and at most after 20 s), whatever the
        machine's speed: what is measured is that refused batches wait and land."""
        deadline = time.monotonic() + 20
        while '"status": 503' not in cloud.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        drain.unlink()

    threading.Thread(target=deploy_window, daemon=True).start()
    started = time.monotonic()
    assert ship_all(tmp_path, deadline=30) == [0] * BATCHES
    assert Outbox(tmp_path / "outbox").entries() == []  # they waited and landed
    assert stored(database_url) == (BATCHES, BATCHES)
    assert '"status": 503' in cloud.log.read_text()  # the drain really refused them
    print(
        f"R1 draining: {BATCHES} sent through a drain, {BATCHES} stored once, "
        f"in {time.monotonic() - started:.1f}s"
    )


def test_r1_developer_agent_killed_mid_flight(
    pair: tuple[Service, Service],
    tmp_path: Path,
    database_url: str,
) -> None:
    dev, cloud = pair
    dev.start()
    cloud.start()
    at_kill: list[int] = []

    def crash() -> None:
        """SIGKILL once a few batches are stored, so the others are in flight or waiting."""
        deadline = time.monotonic() + 60
        while stored(database_url)[0] < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        at_kill.append(stored(database_url)[0])
        dev.stop(signal.SIGKILL)
        time.sleep(1.0)
        dev.start()

    killer = threading.Thread(target=crash)
    killer.start()
    assert ship_all(tmp_path, deadline=30) == [0] * BATCHES
    killer.join()
    drained = flush(tmp_path)
    assert stored(database_url) == (BATCHES, BATCHES)
    assert 5 <= at_kill[0] < BATCHES  # killed mid-way through the shipping
    refused = cloud.log.read_text().count('"status": 502')
    print(
        f"R1 SIGKILL: {BATCHES} sent, Developer-Agent killed after {at_kill[0]} were stored, "
        f"restarted 1 s later; {refused} answers 502 meanwhile, {BATCHES} stored once, "
        f"outbox drained in {drained:.1f}s"
    )
