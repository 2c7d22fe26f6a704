"""Both services as an attacker meets them, on SQLite and PostgreSQL: no read across
repositories, no two runs sharing a key, no 5xx from client input, bounded request resources."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from agent_engine.contracts import Analysis, Received, RunInfo
from agent_engine.heal.backend import free_port
from agent_engine.settings import ServiceSettings
from agent_engine.triage.analysis import repository_of, run_key
from agent_engine.triage.classify import Classifier
from agent_engine.web.developer import create_developer_app
from agent_engine.web.protocol import with_header_timeout
from agent_engine.web.store import SqlStore
from tests.builders import batch, run_info
from tests.web.conftest import DEV_TOKEN
from tests.web.test_cloud import cloud, error, ship

pytestmark = pytest.mark.anyio


@pytest.fixture
async def services(
    store: SqlStore, classifier: Classifier, dev_settings: ServiceSettings
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """The Cloud-Agent in front of the real Developer-Agent, and a direct client of the
    latter, over one store (SQLite or PostgreSQL)."""
    app = create_developer_app(dev_settings, store, classifier)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://developer",
        headers={"Authorization": f"Bearer {DEV_TOKEN}"},
    ) as developer:
        async for front in cloud(app):
            yield front, developer


@pytest.mark.parametrize("path", [".", "..", "%2e", "%2E%2E", "x", "a~b", "runs"])
async def test_a_dot_or_a_malformed_key_never_reaches_the_run_list(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient], path: str
) -> None:
    """`GET /api/ci/runs/.` was normalised to the Developer-Agent's `/runs` list and came
    back with every repository's runs."""
    front, _ = services
    for repository in ("acme/shop", "other/app", "third/site"):
        await ship(
            front, batch(run=run_info(repository=repository)), **{"Idempotency-Key": repository}
        )
    answer = await front.get(f"/api/ci/runs/{path}")
    error(answer, 404, "not_found")
    assert "other/app" not in answer.text
    assert "runs" not in answer.json()


async def test_runs_of_two_repositories_never_share_a_key(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    """`acme/shop__7` run 2 and `acme/shop` run 7 attempt 2 job `1__e2e` joined into one key;
    the second got a 409 and the first one's analysis."""
    front, developer = services
    one = run_info(repository="acme/shop__7", run_id="2", run_attempt=1, job="e2e")
    two = run_info(repository="acme/shop", run_id="7", run_attempt=2, job="1__e2e")
    first = await ship(front, batch(run=one), **{"Idempotency-Key": "k-one"})
    second = await ship(front, batch(run=two), **{"Idempotency-Key": "k-two"})
    assert (first.status_code, second.status_code) == (200, 200), second.text
    keys = {Received.model_validate_json(a.content).upstream.run_key for a in (first, second)}
    assert {repository_of(k) for k in keys} == {"acme/shop", "acme/shop__7"}
    for key in keys:
        stored = Analysis.model_validate_json((await developer.get(f"/runs/{key}")).content)
        assert stored.run_key == key


def test_a_run_key_is_one_path_segment_that_names_its_repository() -> None:
    run = RunInfo.model_validate(run_info(repository="a.b/c-d", run_id="9", job="e2e.tests"))
    key = run_key(run)
    assert key == "a.b~c-d~9~1~e2e.tests"
    assert repository_of(key) == "a.b/c-d"
    for bad in (".", "..", "a~b~c~0~d", "a~b~c~1~d/e", "a__b__1__1__e2e", "~" * 5):
        assert repository_of(bad) is None


async def test_a_key_of_another_repository_is_not_served_from_a_forged_row(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient], store: SqlStore
) -> None:
    """A read is scoped to the repository the key names, whatever the row says."""
    front, developer = services
    answer = await ship(front, batch(run=run_info(repository="acme/shop")))
    key = Received.model_validate_json(answer.content).upstream.run_key
    assert store.analysis(key, "acme/shop") is not None
    assert store.analysis(key, "other/app") is None
    assert (await developer.get(f"/runs/{key}")).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=" + "9" * 5000, "limit"),
        ("limit=-1", "limit"),
        ("limit=1e3", "limit"),
        ("repository=%00", "repository"),
        ("repository=acme/shop%00", "repository"),
    ],
)
async def test_hostile_query_parameters_are_a_400(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient], query: str, field: str
) -> None:
    _, developer = services
    answer = await developer.get(f"/runs?{query}")
    assert field in error(answer, 400, "invalid_payload").error.message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"run": run_info(pr_number=2**63)}, "run.pr_number"),
        ({"run": run_info(pr_number=2**31)}, "run.pr_number"),
        ({"run": run_info(ref="refs/heads/ma\x00in")}, "run.ref"),
        ({"run": run_info(base_ref="\x00")}, "run.base_ref"),
        ({"tests": [{"id": "e2e/test_a.py::t\x00", "outcome": "failed"}]}, "tests.0.id"),
    ],
)
async def test_out_of_range_or_nul_fields_are_a_400_not_a_500(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient], change: dict[str, object], where: str
) -> None:
    front, _ = services
    answer = await ship(front, batch(**change))
    body = error(answer, 400, "invalid_payload")
    assert body.error.message.startswith(where)


async def test_a_nul_in_a_logged_test_id_is_stored_without_a_500(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    """A test id read from a log (not the validated test list) may hold a NUL."""
    front, _ = services
    log = {"name": "out.log", "kind": "test_output", "content": "FAILED e2e/t.py::te\x00st - x\n"}
    answer = await ship(front, batch(logs=[log], tests=[]))
    assert answer.status_code == 200, answer.text


async def test_too_many_or_too_large_headers_are_a_431(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    front, developer = services
    many = {f"x-h{i}": "v" for i in range(500)}
    error(await developer.get("/health", headers=many), 431, "headers_too_large")
    error(await front.get("/health", headers={"x-big": "a" * 100_000}), 431, "headers_too_large")
    assert (await developer.get("/health", headers={"x-one": "v"})).status_code == 200


async def test_gzip_with_data_after_its_end_is_refused(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    front, _ = services
    body = gzip.compress(json.dumps(batch()).encode()) + b"trailing garbage"
    answer = await front.post(
        "/api/ci/logs",
        content=body,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert "after its end" in error(answer, 400, "invalid_payload").error.message


async def test_a_trailing_slash_is_a_404_not_a_redirect_built_from_host(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    front, developer = services
    for client, path in ((front, "/api/ci/logs/"), (developer, "/runs/")):
        answer = await client.get(path, headers={"Host": "evil.example"})
        assert answer.status_code in (404, 405)
        assert "location" not in answer.headers


async def test_a_slow_body_is_cut_off_and_a_vanished_client_is_a_quiet_4xx(
    store: SqlStore, classifier: Classifier, dev_settings: ServiceSettings
) -> None:
    settings = dev_settings.model_copy(update={"body_timeout_s": 0.3})
    app = create_developer_app(settings, store, classifier)
    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/process-logs",
        "raw_path": b"/process-logs",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {DEV_TOKEN}".encode()),
            (b"content-type", b"application/json"),
        ],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }

    async def trickle() -> dict[str, object]:
        await asyncio.sleep(5)
        return {"type": "http.request", "body": b"{", "more_body": True}

    await asyncio.wait_for(app(scope, trickle, send), timeout=3)  # type: ignore[arg-type]
    assert sent[0]["status"] == 408

    sent.clear()
    parts = iter([{"type": "http.request", "body": b"{", "more_body": True}])

    async def vanish() -> dict[str, object]:
        return next(parts, {"type": "http.disconnect"})

    await app(scope, vanish, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 408
    assert b"client_disconnected" in sent[1]["body"]  # type: ignore[operator]


TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2


async def test_a_secret_in_any_free_text_field_is_never_stored_or_forwarded(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient], store: SqlStore
) -> None:
    front, developer = services
    sent = batch(
        run=run_info(actor=f"bot-{TOKEN}", ref=f"refs/heads/{TOKEN}", workflow=TOKEN),
        tests=[{"id": f"e2e/test_api.py::test_login[{TOKEN}]", "outcome": "failed"}],
        artifacts=[{"name": f"trace-{TOKEN}", "url": f"https://x.invalid/{TOKEN}"}],
    )
    answer = await ship(front, sent)
    assert answer.status_code == 200, answer.text
    key = Received.model_validate_json(answer.content).upstream.run_key
    stored = (store.batch(key) or b"").decode() + (store.analysis(key) or "")
    assert stored
    assert TOKEN not in stored
    assert TOKEN not in answer.text
    assert "[REDACTED:github_token]" in stored
    assert TOKEN not in (await developer.get("/runs?repository=acme/shop")).text


async def test_a_batch_that_cannot_be_redacted_in_time_is_refused_on_both_services(
    store: SqlStore, classifier: Classifier, dev_settings: ServiceSettings
) -> None:
    """Fail closed: over the redaction budget, a 413 and nothing stored or forwarded."""
    slow = dev_settings.model_copy(update={"redaction_budget_s": 0.0})
    app = create_developer_app(slow, store, classifier)
    body = batch(logs=[{"name": "t.log", "kind": "test_output", "content": "token=abc123def\n"}])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://developer",
        headers={"Authorization": f"Bearer {DEV_TOKEN}"},
    ) as developer:
        refused = await developer.post("/process-logs", json=body)
        error(refused, 413, "redaction_refused")
        assert store.count() == 0
    upstream_hit: list[bytes] = []

    async def upstream(scope: dict[str, object], receive: object, send: object) -> None:
        upstream_hit.append(b"hit")  # pragma: no cover - the forward must not happen

    async for front in cloud(upstream, redaction_budget_s=0.0):  # type: ignore[arg-type]
        error(await ship(front, body), 413, "redaction_refused")
    assert upstream_hit == []


async def test_the_header_deadline_closes_slow_and_silent_connections_only(
    dev_settings: ServiceSettings, store: SqlStore, classifier: Classifier
) -> None:
    """In process, on a real socket: uvicorn with the protocol `agent-engine serve` uses."""
    config = uvicorn.Config(
        create_developer_app(dev_settings, store, classifier),
        host="127.0.0.1",
        port=free_port(),
        http=with_header_timeout(0.5),
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", config.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["error_code"] == (
            "request_timeout"
        )
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", config.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        assert first.startswith(b"HTTP/1.1 200 ")
        await asyncio.sleep(0.8)  # longer than the deadline, between two requests: kept
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        rest = await asyncio.wait_for(reader.read(), timeout=5)
        assert b"HTTP/1.1 200 " in rest
        writer.close()
    finally:
        server.should_exit = True
        await task
