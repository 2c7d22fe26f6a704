"""R3: thousands of generated requests per service (mutated batches, random JSON and bytes,
odd headers, gzip bombs): never a 5xx, every rejection in the error shape, and nothing stored
for a rejected request."""

from __future__ import annotations

import asyncio
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_engine.contracts import Analysis, ErrorResponse, Received
from agent_engine.settings import ServiceSettings
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules
from agent_engine.web.cloud import create_cloud_app
from agent_engine.web.developer import create_developer_app
from agent_engine.web.store import PostgresStore, SQLiteStore, SqlStore
from tests.builders import batch
from tests.web.conftest import AGENT_TOKEN, DEV_TOKEN

EXAMPLES = 2000
BOMB = gzip.compress(b" " * (32 * 1024 * 1024 + 1))  # 32 KB that inflate past the 32 MB limit
CLASSIFIER = Classifier(load_rules())
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
PATHS = [
    "schema_version",
    "run",
    "outcome",
    "logs",
    "tests",
    "artifacts",
    "run.run_id",
    "run.repository",
    "run.run_attempt",
    "run.job",
    "run.sha",
    "run.pr_number",
    "logs.0",
    "logs.0.name",
    "logs.0.kind",
    "logs.0.content",
    "tests.0.outcome",
    "tests.0.id",
    "tests.0.attempt",
    "run.ref",
    "run.base_ref",
    "run.actor",
    "artifacts.0.name",
    "artifacts.0.url",
]
BAD_STRINGS = st.sampled_from(
    [
        "../../etc/passwd",
        "a/b",
        "..",
        "",
        "x" * 300,
        "\x00",
        "é" * 50,
        "C:\\win",
        "~/.ssh/id_rsa",
        "%2e%2e%2f",
        " ",
        "run id",
        "a\x00b",
        "refs/heads/\x00",
        "acme~shop~1~1~e2e",
        ".",
        "ghp_" + "x1" * 20,
    ]
)
HUGE = st.sampled_from([2**31, 2**31 - 1, 2**63, -(2**63), 10**30])


def mutate(body: dict[str, Any], path: str, action: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if action == "drop" and not isinstance(node, list):
        node.pop(key, None)
    elif action == "extra" and isinstance(node, dict):
        node[f"unknown_{last}"] = value
    else:
        node[key] = value
    return body


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    kind = draw(st.sampled_from(["mutated", "mutated", "valid", "json", "bytes", "bomb"]))
    if kind in ("mutated", "valid"):
        body = batch(run={**batch()["run"], "run_id": str(draw(st.integers(1, 10**6)))})
        if kind == "mutated":
            value = draw(st.one_of(JSON, BAD_STRINGS, st.integers(-5, 10**12), HUGE))
            action = draw(st.sampled_from(["set", "drop", "extra"]))
            body = mutate(body, draw(st.sampled_from(PATHS)), action, value)
        raw = json.dumps(body).encode()
    elif kind == "json":
        raw = json.dumps(draw(JSON)).encode()
    elif kind == "bytes":
        raw = draw(st.binary(max_size=200))
    else:
        raw = BOMB
    headers = {
        "Content-Type": draw(
            st.sampled_from(
                [
                    "application/json",
                    "application/json",
                    "application/json; charset=utf-8",
                    "text/plain",
                    "",
                ]
            )
        )
    }
    encoding = draw(st.sampled_from(["", "", "gzip", "br", "gzip, deflate"]))
    if encoding == "gzip" and kind != "bomb":
        raw = gzip.compress(raw) if draw(st.booleans()) else raw[: len(raw) // 2]
    if kind == "bomb":
        encoding = "gzip"
    if encoding:
        headers["Content-Encoding"] = encoding
    key = draw(st.one_of(st.none(), st.text(max_size=210), st.just("key-1")))
    if key is not None:
        headers["Idempotency-Key"] = key.encode("ascii", "replace").decode("ascii") or "k"
    method_path = draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]))
    return method_path, raw, headers


@dataclass
class Tally:
    sent: int = 0
    stored_first_time: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


def check(answer: httpx.Response, tally: Tally, cloud: bool) -> None:
    tally.sent += 1
    tally.statuses[answer.status_code] = tally.statuses.get(answer.status_code, 0) + 1
    assert answer.status_code < 500, answer.text
    assert answer.headers.get("x-request-id")
    if answer.status_code == 200:
        analysis = (
            Received.model_validate_json(answer.content).upstream
            if cloud
            else (Analysis.model_validate_json(answer.content))
        )
        tally.stored_first_time += not analysis.duplicate
        return
    error = ErrorResponse.model_validate_json(answer.content).error
    assert error.request_id == answer.headers["x-request-id"]
    assert error.next_step


def run_fuzz(tmp_path: Path, cloud: bool, pg_url: str = "") -> tuple[Tally, SqlStore]:
    store: SqlStore = PostgresStore(pg_url) if pg_url else SQLiteStore(tmp_path / "fuzz.db")
    store.migrate()
    dev_settings = ServiceSettings.model_validate(
        {"developer_agent_token": DEV_TOKEN, "drain_file": tmp_path / "d"}
    )
    dev = create_developer_app(dev_settings, store, CLASSIFIER)
    token, path = (AGENT_TOKEN, "/api/ci/logs") if cloud else (DEV_TOKEN, "/process-logs")
    tally = Tally()

    async def send(method: str, raw: bytes, headers: dict[str, str], auth: str) -> httpx.Response:
        upstream = httpx.AsyncClient(transport=httpx.ASGITransport(app=dev), base_url="http://d")
        app = (
            dev
            if not cloud
            else create_cloud_app(
                ServiceSettings.model_validate(
                    {
                        "agent_token": AGENT_TOKEN,
                        "developer_agent_url": "http://d",
                        "developer_agent_token": DEV_TOKEN,
                        "drain_file": tmp_path / "d",
                    }
                ),
                upstream,
            )
        )
        async with (
            upstream,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://s"
            ) as client,
        ):
            target = path if method == "POST" else f"{path}/../x"
            return await client.request(
                method, target, content=raw, headers={**headers, "Authorization": auth}
            )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.large_base_example,
            HealthCheck.data_too_large,
        ],
    )
    @given(requests(), st.sampled_from([f"Bearer {token}"] * 4 + ["Bearer nope", "", "Basic x"]))
    def one(request: tuple[str, bytes, dict[str, str]], auth: str) -> None:
        method, raw, headers = request
        check(asyncio.run(send(method, raw, headers, auth)), tally, cloud)

    one()
    return tally, store


def test_r3_developer_agent(tmp_path: Path) -> None:
    tally, store = run_fuzz(tmp_path, cloud=False)
    assert tally.sent >= EXAMPLES
    assert store.count() == tally.stored_first_time  # rejections stored nothing
    assert {200, 400, 401, 413, 415} <= set(tally.statuses)
    print(f"R3 developer-agent: {tally.sent} requests, statuses {sorted(tally.statuses.items())}")


def test_r3_cloud_agent(tmp_path: Path) -> None:
    tally, store = run_fuzz(tmp_path, cloud=True)
    assert tally.sent >= EXAMPLES
    assert store.count() == tally.stored_first_time
    assert {200, 400, 401, 413, 415} <= set(tally.statuses)
    print(f"R3 cloud-agent: {tally.sent} requests, statuses {sorted(tally.statuses.items())}")


def test_r3_developer_agent_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL refuses what SQLite takes (a NUL in text, an integer past 2^31): still no
    5xx, and nothing stored for a rejection."""
    tally, store = run_fuzz(tmp_path, cloud=False, pg_url=pg_url)
    try:
        assert tally.sent >= EXAMPLES
        assert store.count() == tally.stored_first_time
        assert {200, 400} <= set(tally.statuses)
    finally:
        store.close()
