"""Both services as real uvicorn processes: a real batch end to end, and R2 (20 concurrent
posts with one Idempotency-Key) on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent_engine.contracts import Received
from agent_engine.web.store import open_store
from tests.builders import case_batch, gzipped
from tests.web.live import Service, services

TOKENS = {"agent": "live-agent-token-0123", "developer": "live-developer-token-0123"}
HEADERS = {
    "Authorization": f"Bearer {TOKENS['agent']}",
    "Content-Type": "application/json",
    "Content-Encoding": "gzip",
    "Idempotency-Key": "acme/shop/1234567890/1/e2e-tests",
}


@pytest.fixture
def running(tmp_path: Path, database_url: str) -> Iterator[tuple[Service, Service]]:
    dev, cloud = services(tmp_path, database_url, TOKENS)
    try:
        yield dev.start(), cloud.start()
    finally:
        cloud.stop()
        dev.stop()


def test_a_real_batch_end_to_end(running: tuple[Service, Service]) -> None:
    dev, cloud = running
    body = gzipped(case_batch("backend_exception/sample-app-server_error"))
    answer = httpx.post(f"{cloud.url}/api/ci/logs", content=body, headers=HEADERS, timeout=30)
    assert answer.status_code == 200, answer.text
    analysis = Received.model_validate_json(answer.content).upstream
    assert analysis.classification.error_type.value == "backend_exception"
    listed = httpx.get(
        f"{dev.url}/runs", headers={"Authorization": f"Bearer {TOKENS['developer']}"}
    )
    assert [r["run_key"] for r in listed.json()["runs"]] == [analysis.run_key]
    access = cloud.log.read_text()
    assert '"path": "/api/ci/logs", "status": 200' in access
    assert TOKENS["agent"] not in access + dev.log.read_text()


def test_r2_twenty_concurrent_posts_store_one_analysis(
    running: tuple[Service, Service], database_url: str
) -> None:
    _, cloud = running
    body = gzipped(case_batch("locator_not_found/sample-app-drift_id"))

    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60) as client:
            posts = [
                client.post(f"{cloud.url}/api/ci/logs", content=body, headers=HEADERS)
                for _ in range(20)
            ]
            return await asyncio.gather(*posts)

    answers = asyncio.run(post_all())
    assert [a.status_code for a in answers] == [200] * 20
    analyses = [Received.model_validate_json(a.content).upstream for a in answers]
    assert sorted(a.duplicate for a in analyses) == [False] + [True] * 19
    duplicates = {a.model_dump_json() for a in analyses if a.duplicate}
    assert len(duplicates) == 1  # 19 identical duplicate answers
    store = open_store(database_url)
    assert store.count() == 1
    store.close()


def test_headers_sent_too_slowly_get_a_408_and_the_connection_closed(tmp_path: Path) -> None:
    """Slowloris: a request whose headers trickle in is cut at the deadline (1 s here), while
    the service keeps answering everyone else, before and after."""
    dev, _ = services(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", TOKENS)
    dev.env["AGENT_ENGINE_HEADER_TIMEOUT_S"] = "1"
    dev.start()
    try:
        with socket.create_connection(("127.0.0.1", dev.port), timeout=10) as slow:
            started = time.monotonic()
            slow.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            answer = b""
            for n in range(40):  # one header line every 0.1 s: never finishes in time
                assert httpx.get(f"{dev.url}/health").status_code == 200
                try:
                    slow.sendall(b"X-Slow-%d: 1\r\n" % n)
                except OSError:
                    break
                time.sleep(0.1)
            while chunk := slow.recv(4096):
                answer += chunk
            waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b'"error_code":"request_timeout"' in answer
        assert 0.9 < waited < 5
        with socket.create_connection(("127.0.0.1", dev.port), timeout=10) as idle:
            assert idle.recv(4096).startswith(b"HTTP/1.1 408 ")  # never sent a byte
        # A request sent at once, then another on the same keep-alive connection, both answer.
        with httpx.Client(base_url=dev.url) as client:
            assert client.get("/health").status_code == 200
            time.sleep(1.5)
            assert client.get("/health").status_code == 200
    finally:
        dev.stop()
    assert '"event": "header_timeout"' in dev.log.read_text()
