"""The Developer-Agent in process: the request path exactly as the contract says."""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
import zlib
from pathlib import Path

import httpx
import pytest

from agent_engine.contracts import Analysis, ErrorResponse, Health, RunList
from agent_engine.settings import ServiceSettings
from agent_engine.triage.classify import Classifier
from agent_engine.web.common import RequestContext
from agent_engine.web.developer import create_developer_app
from agent_engine.web.store import SQLiteStore, SqlStore
from tests.builders import batch, case_batch, gzipped, log_file, run_info
from tests.web.conftest import DEV_TOKEN

pytestmark = pytest.mark.anyio
LOCATOR_CASE = "locator_not_found/sample-app-drift_id"


def error(answer: httpx.Response, status: int, code: str) -> ErrorResponse:
    assert answer.status_code == status, answer.text
    body = ErrorResponse.model_validate_json(answer.content)
    assert body.error.error_code == code
    assert body.error.request_id == answer.headers["x-request-id"]
    return body


async def post(
    client: httpx.AsyncClient, body: object, key: str = "key-1", **headers: str
) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", "Idempotency-Key": key, **headers}
    return await client.post("/process-logs", content=content, headers=sent)


async def test_a_batch_gets_a_full_analysis(dev_client: httpx.AsyncClient) -> None:
    answer = await post(dev_client, case_batch(LOCATOR_CASE))
    assert answer.status_code == 200, answer.text
    analysis = Analysis.model_validate_json(answer.content)
    assert analysis.run_key == "acme~shop~1234567890~1~e2e-tests"
    assert analysis.duplicate is False
    assert analysis.classification.error_type.value == "locator_not_found"
    assert analysis.fix_agent_instructions.applicable
    assert analysis.fix_agent_instructions.targets[0].locator == 'locator("#new-project-btn")'
    assert analysis.self_heal_plan.eligible
    assert analysis.self_heal_plan.actions == ["rerun_failed"]
    fired = {t.name for t in analysis.triggers if t.fires}
    assert fired == {"self_heal", "fix_agent", "pr_comment", "dashboard"}
    assert answer.headers["x-request-id"]


async def test_the_same_key_and_body_answers_the_stored_analysis(
    dev_client: httpx.AsyncClient, sqlite_store: SqlStore
) -> None:
    first = Analysis.model_validate_json((await post(dev_client, batch())).content)
    again = await post(dev_client, gzipped(batch()), **{"Content-Encoding": "gzip"})
    duplicate = Analysis.model_validate_json(again.content)
    assert duplicate.duplicate is True
    assert duplicate.model_copy(update={"duplicate": False}) == first
    assert sqlite_store.count() == 1


async def test_the_same_key_with_another_body_is_a_conflict(
    dev_client: httpx.AsyncClient, sqlite_store: SqlStore
) -> None:
    await post(dev_client, batch())
    changed = batch(outcome="cancelled")
    error(await post(dev_client, changed), 409, "idempotency_conflict")
    error(await post(dev_client, changed, key="key-2"), 409, "idempotency_conflict")
    assert sqlite_store.count() == 1


async def test_without_a_key_the_run_key_is_the_key(dev_client: httpx.AsyncClient) -> None:
    body = json.dumps(batch()).encode()
    headers = {"Content-Type": "application/json"}
    first = await dev_client.post("/process-logs", content=body, headers=headers)
    again = await dev_client.post("/process-logs", content=body, headers=headers)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Authorization": ""}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong"}, 401, "unauthorized"),
        ({"Authorization": f"Basic {DEV_TOKEN}"}, 401, "unauthorized"),
        ({"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ({"Content-Encoding": "br"}, 415, "unsupported_media_type"),
        ({"Idempotency-Key": "x" * 201}, 400, "invalid_payload"),
        ({"Idempotency-Key": "with space"}, 400, "invalid_payload"),
    ],
)
async def test_bad_requests_get_the_error_shape(
    dev_client: httpx.AsyncClient,
    sqlite_store: SqlStore,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    body = error(await post(dev_client, batch(), **headers), status, code)
    assert body.error.next_step
    assert sqlite_store.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Invalid JSON"),
        (b"\xff\xfe{}", "Invalid JSON"),
        (json.dumps(batch(extra=1)).encode(), "extra: Extra inputs are not permitted"),
        (json.dumps(batch(logs=[{"name": "a.log"}])).encode(), "logs.0.content: Field required"),
        (json.dumps(batch(run=run_info(run_id="../../etc"))).encode(), "run.run_id"),
        (json.dumps(batch(run=run_info(run_attempt="one"))).encode(), "run.run_attempt"),
        (b"[" * 100_000 + b"]" * 100_000, "recursion"),
        (json.dumps(batch(schema_version="9")).encode(), "schema_version"),
    ],
)
async def test_invalid_payloads_name_the_problem(
    dev_client: httpx.AsyncClient, sqlite_store: SqlStore, content: bytes, message: str
) -> None:
    body = error(await post(dev_client, content), 400, "invalid_payload")
    assert message.lower() in body.error.message.lower()
    assert body.error.blocker_type.value == "agent"
    assert sqlite_store.count() == 0


async def test_size_limits_while_reading_and_decompressing(
    dev_client: httpx.AsyncClient, sqlite_store: SqlStore, dev_settings: ServiceSettings
) -> None:
    huge = batch(logs=[log_file(content="x" * (dev_settings.max_body_bytes + 1))])
    error(await post(dev_client, huge), 413, "payload_too_large")
    bomb = gzip.compress(b" " * (dev_settings.max_decompressed_bytes + 1))
    assert len(bomb) < 100_000
    error(await post(dev_client, bomb, **{"Content-Encoding": "gzip"}), 413, "payload_too_large")
    truncated = gzipped(batch())[:-20]
    error(await post(dev_client, truncated, **{"Content-Encoding": "gzip"}), 400, "invalid_payload")
    error(
        await post(dev_client, b"not gzip", **{"Content-Encoding": "gzip"}), 400, "invalid_payload"
    )

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"x" * (dev_settings.max_body_bytes // 4)

    streamed = await dev_client.post(
        "/process-logs", content=chunks(), headers={"Content-Type": "application/json"}
    )
    error(streamed, 413, "payload_too_large")
    assert sqlite_store.count() == 0


async def test_secrets_never_reach_the_store_the_answer_or_the_logs(
    dev_client: httpx.AsyncClient, sqlite_store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    """R4 on the service path."""
    token = "ghp_" + "Q" * 36
    dsn = "postgresql://app:hunter2-secret@db:5432/shop"
    content = (
        f"E   psycopg.OperationalError: {dsn} connection refused\nAuthorization: Bearer {token}\n"
    )
    body = batch(
        logs=[log_file(content=content)],
        tests=[{"id": "t.py::x", "outcome": "failed", "message": f"token={token}"}],
    )
    caplog.set_level(logging.INFO)
    answer = await post(dev_client, body)
    assert answer.status_code == 200
    stored_batch = sqlite_store.batch("acme~shop~1234567890~1~e2e-tests") or b""
    stored = (
        stored_batch + (sqlite_store.analysis("acme~shop~1234567890~1~e2e-tests") or "").encode()
    )
    for secret in (token, "hunter2-secret"):
        assert secret not in answer.text
        assert secret.encode() not in stored
        assert secret not in caplog.text
    assert b"[REDACTED:github_token]" in stored_batch
    access = [json.loads(r.message) for r in caplog.records if r.name == "agent_engine.access"]
    assert access[-1]["path"] == "/process-logs"
    assert access[-1]["status"] == 200


async def test_runs_are_listed_and_read_back(dev_client: httpx.AsyncClient) -> None:
    await post(dev_client, batch(), key="a")
    await post(dev_client, batch(run=run_info(run_id="2")), key="b")
    listed = RunList.model_validate_json(
        (await dev_client.get("/runs?repository=acme/shop&limit=1")).content
    )
    assert [r.run_id for r in listed.runs] == ["2"]
    one = await dev_client.get("/runs/acme~shop~2~1~e2e-tests")
    assert Analysis.model_validate_json(one.content).run_key == "acme~shop~2~1~e2e-tests"
    error(await dev_client.get("/runs/unknown"), 404, "not_found")
    error(await dev_client.get("/runs?limit=0"), 400, "invalid_payload")
    error(await dev_client.get("/runs?limit=x"), 400, "invalid_payload")


async def test_routing_errors_and_methods_get_the_error_shape(
    dev_client: httpx.AsyncClient,
) -> None:
    error(await dev_client.get("/nope"), 404, "not_found")
    error(await dev_client.get("/process-logs"), 405, "method_not_allowed")
    given = await dev_client.get("/nope", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    odd = await dev_client.get("/nope", headers={"X-Request-ID": "bad id; rm -rf"})
    assert odd.headers["x-request-id"] != "bad id; rm -rf"
    assert len(odd.headers["x-request-id"]) == 32


async def test_health_and_the_drain_switch(
    dev_client: httpx.AsyncClient, dev_settings: ServiceSettings
) -> None:
    healthy = await dev_client.get("/health")
    assert Health.model_validate_json(healthy.content).deployment_status == "stable"
    dev_settings.drain_file.touch()
    draining = await dev_client.get("/health")
    assert draining.status_code == 503
    assert draining.headers["retry-after"] == "10"
    assert draining.json()["deployment_status"] == "deploying"
    refused = await post(dev_client, batch())
    assert error(refused, 503, "deploying").error.retryable
    assert refused.headers["retry-after"] == "10"


async def test_a_store_that_is_down_is_503_with_retry_after(
    dev_settings: ServiceSettings, classifier: Classifier, tmp_path: Path
) -> None:
    down = SQLiteStore(tmp_path / "missing" / "store.db")
    app = create_developer_app(dev_settings, down, classifier)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://d",
        headers={"Authorization": f"Bearer {DEV_TOKEN}"},
    ) as client:
        health = await client.get("/health")
        assert (health.status_code, health.json()["store"]) == (503, "unavailable")
        answer = await post(client, batch())
        assert error(answer, 503, "store_unavailable").error.retryable
        assert answer.headers["retry-after"] == "5"


async def test_an_unset_token_never_runs_open(
    sqlite_store: SqlStore, classifier: Classifier
) -> None:
    app = create_developer_app(ServiceSettings(), sqlite_store, classifier)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as c:
        error(await post(c, batch()), 503, "not_configured")
        error(await c.get("/runs"), 503, "not_configured")


async def test_the_openapi_document_describes_the_routes(dev_client: httpx.AsyncClient) -> None:
    doc = (await dev_client.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/process-logs", "/runs", "/runs/{run_key}", "/health"}
    assert "LogBatch" in doc["components"]["schemas"]


async def test_stored_batches_are_compressed_and_redacted(
    dev_client: httpx.AsyncClient, sqlite_store: SqlStore
) -> None:
    await post(dev_client, case_batch(LOCATOR_CASE))
    assert isinstance(sqlite_store, SQLiteStore)
    raw = sqlite3.connect(sqlite_store.path).execute("SELECT batch FROM runs").fetchone()[0]
    assert b"new-project-btn" in zlib.decompress(raw)


class ExplodingStore(SQLiteStore):
    """A store whose lookups fail with a bug, not a known error."""

    def find(self, idempotency_key: str, run_key: str) -> None:  # type: ignore[override]
        raise RuntimeError("a bug")


async def test_an_unexpected_error_is_still_the_error_shape(
    dev_settings: ServiceSettings, classifier: Classifier, tmp_path: Path
) -> None:
    store = ExplodingStore(tmp_path / "x.db")
    store.migrate()
    app = create_developer_app(dev_settings, store, classifier)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://d", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    ) as client:
        answer = await post(client, batch())
    body = error(answer, 500, "internal_error")
    assert body.error.message == "unexpected RuntimeError"


async def test_non_http_scopes_pass_through_the_request_context() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    await RequestContext(inner, service="x")({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]
