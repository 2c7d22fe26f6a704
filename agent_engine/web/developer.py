"""The Developer-Agent: validates, redacts, stores and classifies batches (POST /process-logs)
and serves the history (GET /runs, GET /runs/{run_key})."""

from __future__ import annotations

import re
from dataclasses import replace

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent_engine import __version__
from agent_engine.contracts import Analysis, Health, LogBatch, RunList, TestOutcome
from agent_engine.errors import (
    AgentEngineError,
    IdempotencyConflictError,
    NotFoundError,
    PayloadError,
)
from agent_engine.settings import ServiceSettings
from agent_engine.triage.analysis import (
    analyse,
    body_hash,
    classify_batch,
    redact_batch,
    repository_of,
    run_key,
)
from agent_engine.triage.classify import Classifier
from agent_engine.web.common import (
    EXCEPTION_HANDLERS,
    HeaderGuard,
    RequestContext,
    check_open,
    check_token,
    idempotency_key,
    parse,
    read_body,
)
from agent_engine.web.openapi import developer_openapi
from agent_engine.web.store import Store, StoredRun

_FAILED = (TestOutcome.FAILED, TestOutcome.ERROR)


class DeveloperAgent:
    """Handlers over injected settings, store and classifier."""

    def __init__(self, settings: ServiceSettings, store: Store, classifier: Classifier) -> None:
        self.settings = settings
        self.store = store
        self.classifier = classifier

    def guard(self, request: Request) -> None:
        check_open(self.settings)
        check_token(request, self.settings.developer_agent_token, "DEVELOPER_AGENT_TOKEN")

    async def process_logs(self, request: Request) -> Response:
        self.guard(request)
        batch = parse(await read_body(request, self.settings), LogBatch)
        key = idempotency_key(request) or run_key(batch.run)  # the run key when none sent
        analysis_json, was_duplicate = await run_in_threadpool(self.process, batch, key)
        return duplicate(analysis_json) if was_duplicate else json_answer(analysis_json)

    def process(self, batch: LogBatch, key: str) -> tuple[str, bool]:
        """The stored answer for this key, or a new analysis stored: (JSON, duplicate?)."""
        digest = body_hash(batch)
        stored = self.store.find(key, run_key(batch.run))
        if stored is None:
            return self.analyse(batch, key, digest)
        if stored.body_sha256 != digest:
            raise IdempotencyConflictError(f"Idempotency-Key {key!r} was used for a different body")
        return stored.analysis_json, True

    def analyse(self, batch: LogBatch, key: str, digest: str) -> tuple[str, bool]:
        """Redact, classify, look at the history, store: (analysis JSON, duplicate?)."""
        clean = redact_batch(batch, self.settings.redaction_budget_s)
        verdict = classify_batch(self.classifier, clean)
        record = record_for(
            clean, key, digest, verdict.error_type.value, verdict.signature, verdict.confidence
        )
        history = self.store.history(record, [t.id for t in verdict.failed_tests])
        analysis = analyse(clean, verdict, history)
        return self.store.save(replace(record, analysis_json=analysis.model_dump_json()))

    async def runs(self, request: Request) -> Response:
        self.guard(request)
        repository = request.query_params.get("repository") or None
        if repository is not None and not _REPOSITORY.match(repository):
            raise PayloadError("repository must be owner/name")
        limit = request.query_params.get("limit", "50")
        if not _LIMIT.match(limit) or not 1 <= int(limit) <= 500:
            raise PayloadError("limit must be a whole number from 1 to 500")
        runs = await run_in_threadpool(self.store.runs, repository, int(limit))
        return JSONResponse(RunList(runs=runs).model_dump(mode="json"))

    async def run(self, request: Request) -> Response:
        self.guard(request)
        key = request.path_params["run_key"]
        repository = repository_of(key)
        found = None
        if repository is not None:  # a read is scoped to the repository the key names
            found = await run_in_threadpool(self.store.analysis, key, repository)
        if found is None:
            raise NotFoundError(f"no stored run {key[:200]!r}")
        return json_answer(found)

    async def health(self, _: Request) -> Response:
        store = "ok"
        try:
            await run_in_threadpool(self.store.ping)
        except AgentEngineError:
            store = "unavailable"
        draining = self.settings.draining()
        body = Health(
            status="draining" if draining else ("ok" if store == "ok" else "degraded"),
            deployment_status="deploying"
            if draining
            else ("stable" if store == "ok" else "degraded"),
            version=__version__,
            store=store,
        )
        headers = {"Retry-After": "10"} if body.status != "ok" else {}
        status = 200 if body.status == "ok" else 503
        return JSONResponse(body.model_dump(mode="json"), status, headers=headers)

    async def openapi(self, _: Request) -> Response:
        return JSONResponse(developer_openapi())


_LIMIT = re.compile(r"^[0-9]{1,3}$")  # never int() of 5,000 digits
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")


def record_for(  # noqa: PLR0917 - one record, field by field
    batch: LogBatch, key: str, digest: str, error_type: str, signature: str, confidence: float
) -> StoredRun:
    run = batch.run
    return StoredRun(
        run_key=run_key(run),
        idempotency_key=key,
        body_sha256=digest,
        repository=run.repository,
        run_id=run.run_id,
        run_attempt=run.run_attempt,
        job=run.job,
        sha=run.sha,
        ref=run.ref,
        base_ref=run.base_ref,
        pr_number=run.pr_number,
        outcome=batch.outcome.value,
        error_type=error_type,
        signature=signature,
        confidence=confidence,
        batch_json=batch.model_dump_json().encode(),
        analysis_json="",
        tests=[(t.id, t.outcome.value) for t in batch.tests],
    )


def json_answer(analysis_json: str) -> Response:
    return Response(analysis_json, media_type="application/json")


def duplicate(analysis_json: str) -> Response:
    analysis = Analysis.model_validate_json(analysis_json).model_copy(update={"duplicate": True})
    return json_answer(analysis.model_dump_json())


def create_developer_app(
    settings: ServiceSettings, store: Store, classifier: Classifier
) -> Starlette:
    """The Developer-Agent's ASGI app; the caller owns the store (migrated) and classifier."""
    agent = DeveloperAgent(settings, store, classifier)
    routes = [
        Route("/process-logs", agent.process_logs, methods=["POST"]),
        Route("/runs", agent.runs, methods=["GET"]),
        Route("/runs/{run_key}", agent.run, methods=["GET"]),
        Route("/health", agent.health, methods=["GET"]),
        Route("/openapi.json", agent.openapi, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[Middleware(RequestContext, service="developer-agent"), Middleware(HeaderGuard)],
    )
    app.router.redirect_slashes = False  # no 307 built from the Host header
    app.state.agent = agent
    return app
