"""B2: the Developer-Agent under uvicorn, 200 KB batches from 8 concurrent clients, against the
same server's GET /health rate measured in the same run."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from agent_engine.heal.backend import free_port
from bench.classify import generate

CLIENTS = 8
WARMUP = 40  # posts before measuring: thread-local connections, first-use imports
POSTS = 400
HEALTH_CHECKS = 2000
TOKEN = "bench-developer-token"
ROOT = Path(__file__).resolve().parent.parent


def batch_body(log: str, n: int) -> bytes:
    body = {
        "schema_version": "1",
        "run": {
            "repository": "acme/shop",
            "run_id": str(n),
            "run_attempt": 1,
            "job": "e2e",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "ref": "refs/pull/7/merge",
            "base_ref": "main",
            "pr_number": 7,
        },
        "outcome": "failure",
        "logs": [{"name": "e2e/test-output.log", "kind": "test_output", "content": log}],
    }
    return gzip.compress(json.dumps(body).encode())


async def load(
    count: int,
    call: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
) -> tuple[float, list[float], int]:
    """`count` calls from CLIENTS concurrent clients: (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    queue = iter(range(count))

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=30) as http:
            for n in queue:
                started = time.perf_counter()
                answer = await call(http, n)
                latencies.append(time.perf_counter() - started)
                errors += answer.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return time.perf_counter() - started, latencies, errors


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-services-") as tmp:
        log = generate(Path(tmp) / "log.txt", 1).read_text()[:200_000]
        bodies = [batch_body(log, n) for n in range(WARMUP + POSTS)]
        port = free_port()
        env = {
            **os.environ,
            "DEVELOPER_AGENT_TOKEN": TOKEN,
            "AGENT_ENGINE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        }
        with (Path(tmp) / "server.log").open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "tools.serve", "developer-agent", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_up(url)
            headers = {
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            }

            async def post(http: httpx.AsyncClient, n: int) -> httpx.Response:
                return await http.post(
                    f"{url}/process-logs",
                    content=bodies[n],
                    headers={**headers, "Idempotency-Key": f"bench-{n}"},
                )

            async def health(http: httpx.AsyncClient, _: int) -> httpx.Response:
                return await http.get(f"{url}/health")

            async def fresh(http: httpx.AsyncClient, n: int) -> httpx.Response:
                return await post(http, WARMUP + n)

            asyncio.run(load(WARMUP, post))
            h_s, h_lat, h_err = asyncio.run(load(HEALTH_CHECKS, health))
            p_s, p_lat, p_err = asyncio.run(load(POSTS, fresh))
            stored = httpx.get(f"{url}/runs?limit=500", headers=headers, timeout=30)
            assert len(stored.json()["runs"]) == WARMUP + POSTS, "every batch stored once"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    print(
        f"B2: Developer-Agent under uvicorn (1 process, SQLite), {CLIENTS} concurrent clients, "
        f"batches of {len(log) // 1000} KB ({len(bodies[0]) // 1000} KB gzipped)"
    )
    print(f"{'request':<22}{'count':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, seconds, lat, err in (
        ("GET /health", h_s, h_lat, h_err),
        ("POST /process-logs", p_s, p_lat, p_err),
    ):
        print(
            f"{name:<22}{len(lat):>6}{len(lat) / seconds:>9.1f}{percentile(lat, 50):>9.1f}"
            f"{percentile(lat, 99):>9.1f}{err:>8}"
        )
    tail = sorted(p_lat)[-5:]
    print(
        f"POST latency: p90 {percentile(p_lat, 90):.1f} ms, p95 {percentile(p_lat, 95):.1f} ms, "
        f"slowest five {[round(x * 1000) for x in tail]} ms"
    )
    print(
        f"ratio (POST rate / health rate): {(len(p_lat) / p_s) / (len(h_lat) / h_s):.3f}; "
        "target: p99 < 100 ms, no error"
    )
    return 0


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the Developer-Agent did not start")
