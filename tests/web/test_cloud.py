"""The Cloud-Agent in process, forwarding to the real Developer-Agent app or to a small
recording upstream that answers what a test scripts (errors, slowness)."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent_engine.contracts import ErrorResponse, Received
from agent_engine.errors import DeployingError, IdempotencyConflictError
from agent_engine.settings import ServiceSettings
from agent_engine.triage.classify import Classifier
from agent_engine.web.cloud import create_cloud_app
from agent_engine.web.common import error_response
from agent_engine.web.developer import create_developer_app
from agent_engine.web.store import SqlStore
from tests.builders import batch, gzipped, log_file
from tests.web.conftest import AGENT_TOKEN, DEV_TOKEN

pytestmark = pytest.mark.anyio


def cloud_settings(**overrides: object) -> ServiceSettings:
    values: dict[str, object] = {
        "agent_token": SecretStr(AGENT_TOKEN),
        "developer_agent_url": "http://developer",
        "developer_agent_token": SecretStr(DEV_TOKEN),
        "deadline_s": 2.0,
    }
    return ServiceSettings.model_validate(values | overrides)


@dataclass
class Recorder:
    """An upstream that records each request and plays scripted answers, then the last."""

    answers: list[Response]
    delay_s: float = 0.0
    seen: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        self.seen.append({"path": request.url.path, **dict(request.headers)})
        raw = await request.body()
        encoded = request.headers.get("content-encoding") == "gzip"
        self.bodies.append(gzip.decompress(raw) if encoded else raw)
        await asyncio.sleep(self.delay_s)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])])


async def cloud(upstream: Starlette, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=upstream))
    app = create_cloud_app(cloud_settings(**settings), http)
    async with (
        http,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://cloud",
            headers={"Authorization": f"Bearer {AGENT_TOKEN}"},
        ) as client,
    ):
        yield client


async def ship(client: httpx.AsyncClient, body: object = None, **headers: str) -> httpx.Response:
    sent = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Idempotency-Key": "acme/shop/1/1/e2e",
        **headers,
    }
    return await client.post("/api/ci/logs", content=gzipped(body or batch()), headers=sent)


def error(answer: httpx.Response, status: int, code: str) -> ErrorResponse:
    assert answer.status_code == status, answer.text
    body = ErrorResponse.model_validate_json(answer.content)
    assert body.error.error_code == code
    return body


@pytest.fixture
async def via_developer(
    sqlite_store: SqlStore, classifier: Classifier, dev_settings: ServiceSettings
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in cloud(create_developer_app(dev_settings, sqlite_store, classifier)):
        yield client


async def test_a_batch_is_forwarded_and_the_analysis_returned(
    via_developer: httpx.AsyncClient, sqlite_store: SqlStore
) -> None:
    answer = await ship(via_developer)
    received = Received.model_validate_json(answer.content)
    assert received.status == "received"
    assert received.upstream.run_key == "acme~shop~1234567890~1~e2e-tests"
    again = Received.model_validate_json((await ship(via_developer)).content)
    assert again.upstream.duplicate is True
    assert sqlite_store.count() == 1
    proxied = await via_developer.get(f"/api/ci/runs/{received.upstream.run_key}")
    assert proxied.json()["run_key"] == received.upstream.run_key


async def test_an_upstream_refusal_keeps_its_code_in_details(
    via_developer: httpx.AsyncClient,
) -> None:
    await ship(via_developer)
    body = error(await ship(via_developer, batch(outcome="cancelled")), 409, "idempotency_conflict")
    assert body.error.details[0].loc == ["upstream", "idempotency_conflict"]
    error(await via_developer.get("/api/ci/runs/missing"), 404, "not_found")
    error(await via_developer.get("/api/ci/runs/..%2Fetc"), 404, "not_found")


async def test_the_cloud_agent_checks_its_own_token_and_the_batch(
    via_developer: httpx.AsyncClient, sqlite_store: SqlStore
) -> None:
    error(await ship(via_developer, Authorization=f"Bearer {DEV_TOKEN}"), 401, "unauthorized")
    bad = await via_developer.post(
        "/api/ci/logs",
        content=b'{"schema_version": "1"}',
        headers={"Content-Type": "application/json"},
    )
    assert "run: Field required" in error(bad, 400, "invalid_payload").error.message
    error(await ship(via_developer, **{"Idempotency-Key": ""}), 400, "invalid_payload")
    assert sqlite_store.count() == 0


async def test_retries_502_503_504_then_succeeds_with_the_same_key(
    via_developer: httpx.AsyncClient,
) -> None:
    ok = await ship(via_developer)
    recorder = Recorder(
        [
            Response(status_code=502),
            Response(status_code=504),
            Response(
                ok.content and json.dumps(ok.json()["upstream"]), media_type="application/json"
            ),
        ]
    )
    async for client in cloud(recorder.app()):
        answer = await ship(client)
    assert answer.status_code == 200
    assert len(recorder.seen) == 3
    assert {s["idempotency-key"] for s in recorder.seen} == {"acme/shop/1/1/e2e"}
    assert {s["authorization"] for s in recorder.seen} == {f"Bearer {DEV_TOKEN}"}


async def test_an_upstream_that_stays_unavailable_is_upstream_unavailable() -> None:
    deploying = error_response(DeployingError("draining"), "r-1")
    recorder = Recorder([deploying])
    async for client in cloud(recorder.app()):
        answer = await ship(client)
    body = error(answer, 503, "upstream_unavailable")
    assert body.error.details[0].loc == ["upstream", "deploying"]
    assert answer.headers["retry-after"] == "5"
    assert len(recorder.seen) == 3  # the testing mode's attempts


async def test_a_refused_connection_is_upstream_unavailable() -> None:
    http = httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=1.0))
    app = create_cloud_app(cloud_settings(developer_agent_url="http://127.0.0.1:9"), http)
    async with (
        http,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://cloud",
            headers={"Authorization": f"Bearer {AGENT_TOKEN}"},
        ) as c,
    ):
        answer = await ship(c)
    assert error(answer, 502, "upstream_unavailable").error.retryable
    assert "cannot be reached" in answer.json()["error"]["message"]


async def test_a_slow_upstream_is_upstream_timeout() -> None:
    recorder = Recorder([Response("{}", media_type="application/json")], delay_s=5)
    async for client in cloud(recorder.app(), deadline_s=0.3):
        answer = await ship(client)
    error(answer, 504, "upstream_timeout")


async def test_a_non_json_upstream_error_is_still_the_error_shape() -> None:
    recorder = Recorder([Response("teapot", status_code=418)])
    async for client in cloud(recorder.app()):
        body = error(await ship(client), 418, "http_418")
    assert body.error.details[0].msg == "teapot"


async def test_a_conflict_from_upstream_keeps_its_advice() -> None:
    conflict = error_response(IdempotencyConflictError("used for another body"), "r-2")
    async for client in cloud(Recorder([conflict]).app()):
        body = error(await ship(client), 409, "idempotency_conflict")
    assert body.error.next_step == IdempotencyConflictError.next_step


async def test_unset_secrets_never_run_open() -> None:
    recorder = Recorder([Response("{}")])
    async for client in cloud(recorder.app(), developer_agent_url=None):
        assert (
            "DEVELOPER_AGENT_URL" in error(await ship(client), 503, "not_configured").error.message
        )
    async for client in cloud(recorder.app(), agent_token=None):
        assert "AGENT_TOKEN" in error(await ship(client), 503, "not_configured").error.message
    assert recorder.seen == []


async def test_health_openapi_and_drain(tmp_path: Path) -> None:
    drain = tmp_path / "drain"
    async for client in cloud(Recorder([Response("{}")]).app(), drain_file=drain):
        assert (await client.get("/api/ci/health")).json()["deployment_status"] == "stable"
        doc = (await client.get("/openapi.json")).json()
        assert "/api/ci/logs" in doc["paths"]
        drain.touch()
        health = await client.get("/health")
        assert (health.status_code, health.headers["retry-after"]) == (503, "10")
        error(await ship(client), 503, "deploying")


async def test_no_secret_reaches_the_forward() -> None:
    """R4 on the forward: the Developer-Agent only ever sees the redacted batch."""
    token, password = "ghp_" + "Z" * 36, "s3cr3t-db-pass"
    body = batch(
        logs=[
            log_file(
                content=f"git push https://x:{token}@github.com\n"
                f"postgresql://app:{password}@db/shop refused\n"
            )
        ]
    )
    recorder = Recorder([Response("nope", status_code=418)])
    async for client in cloud(recorder.app()):
        await ship(client, body)
    (seen,) = recorder.bodies
    assert token.encode() not in seen
    assert password.encode() not in seen
    assert b"[REDACTED:" in seen
