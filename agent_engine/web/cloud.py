"""The Cloud-Agent: checks the shipper's token and the batch, then forwards it to the
Developer-Agent (POST /api/ci/logs); proxies stored analyses (GET /api/ci/runs/{run_key})."""

from __future__ import annotations

import gzip
from urllib.parse import quote

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent_engine import __version__
from agent_engine.contracts import Analysis, Health, LogBatch, Received
from agent_engine.delivery.client import Upstream, upstream_error
from agent_engine.errors import NotConfiguredError, NotFoundError
from agent_engine.settings import ServiceSettings
from agent_engine.triage.analysis import redact_batch, repository_of
from agent_engine.web.common import (
    EXCEPTION_HANDLERS,
    HeaderGuard,
    RequestContext,
    check_open,
    check_token,
    idempotency_key,
    parse,
    read_body,
    request_id,
)
from agent_engine.web.openapi import cloud_openapi


class CloudAgent:
    def __init__(self, settings: ServiceSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http

    def upstream(self) -> Upstream:
        url, token = self.settings.developer_agent_url, self.settings.developer_agent_token
        if not url or token is None:
            missing = "DEVELOPER_AGENT_URL" if not url else "DEVELOPER_AGENT_TOKEN"
            raise NotConfiguredError(f"{missing} is not set on the Cloud-Agent")
        return Upstream(
            url,
            token.get_secret_value(),
            self.http,
            deadline_s=self.settings.deadline_s,
            attempts=self.settings.forward_attempts,
        )

    def guard(self, request: Request) -> Upstream:
        check_open(self.settings)
        check_token(request, self.settings.agent_token, "AGENT_TOKEN")
        return self.upstream()

    async def receive(self, request: Request) -> Response:
        upstream = self.guard(request)
        batch = parse(await read_body(request, self.settings), LogBatch)  # before a forward
        key = idempotency_key(request)
        # No secret goes further than this service (R4): the forward carries the redacted batch.
        clean = await run_in_threadpool(redact_batch, batch, self.settings.redaction_budget_s)
        content = gzip.compress(clean.model_dump_json().encode(), 1)
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "X-Request-ID": request_id(request),
        }
        if key is not None:
            headers["Idempotency-Key"] = key
        answer = await upstream.request("POST", "/process-logs", content=content, headers=headers)
        if answer.status_code != 200:
            raise upstream_error(answer)
        analysis = Analysis.model_validate_json(answer.content)
        return JSONResponse(Received(upstream=analysis).model_dump(mode="json"))

    async def run(self, request: Request) -> Response:
        upstream = self.guard(request)
        key = request.path_params["run_key"]
        if repository_of(key) is None:  # only a well-formed key goes further (never `.`)
            raise NotFoundError(f"no stored run {key[:200]!r}")
        answer = await upstream.request(
            "GET", f"/runs/{quote(key, safe='')}", headers={"X-Request-ID": request_id(request)}
        )
        if answer.status_code != 200:
            raise upstream_error(answer)
        return Response(answer.content, media_type="application/json")

    async def health(self, _: Request) -> Response:
        draining = self.settings.draining()
        body = Health(
            status="draining" if draining else "ok",
            deployment_status="deploying" if draining else "stable",
            version=__version__,
            store="none",
        )
        headers = {"Retry-After": "10"} if draining else {}
        return JSONResponse(body.model_dump(mode="json"), 503 if draining else 200, headers=headers)

    async def openapi(self, _: Request) -> Response:
        return JSONResponse(cloud_openapi())


def create_cloud_app(settings: ServiceSettings, http: httpx.AsyncClient) -> Starlette:
    """The Cloud-Agent's ASGI app; `http` is the client used to reach the Developer-Agent."""
    agent = CloudAgent(settings, http)
    routes = [
        Route("/api/ci/logs", agent.receive, methods=["POST"]),
        Route("/api/ci/runs/{run_key}", agent.run, methods=["GET"]),
        Route("/health", agent.health, methods=["GET"]),
        Route("/api/ci/health", agent.health, methods=["GET"]),
        Route("/openapi.json", agent.openapi, methods=["GET"]),
        Route("/api/ci/openapi.json", agent.openapi, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[Middleware(RequestContext, service="cloud-agent"), Middleware(HeaderGuard)],
    )
    app.router.redirect_slashes = False  # no 307 built from the Host header
    return app
