"""App factories wired from the environment, for the entry points (Vercel, `agent-engine serve`)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress

import httpx
from starlette.applications import Starlette

from agent_engine.errors import AgentEngineError
from agent_engine.settings import ServiceSettings
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules
from agent_engine.web.cloud import create_cloud_app
from agent_engine.web.developer import create_developer_app
from agent_engine.web.store import open_store


def developer_agent(environ: Mapping[str, str] | None = None) -> Starlette:
    """The Developer-Agent with its store from AGENT_ENGINE_DATABASE_URL (migrated lazily)."""
    settings = ServiceSettings.from_environ(os.environ if environ is None else environ)
    store = open_store(settings.database_url)
    app = create_developer_app(settings, store, Classifier(load_rules()))

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        with suppress(AgentEngineError):
            store.migrate()  # a store that is down now answers 503 until it is back
        yield
        store.close()

    app.router.lifespan_context = lifespan
    return app


def cloud_agent(environ: Mapping[str, str] | None = None) -> Starlette:
    """The Cloud-Agent with a pooled HTTP client (connect timeout from its settings)."""
    settings = ServiceSettings.from_environ(os.environ if environ is None else environ)
    timeout = httpx.Timeout(settings.deadline_s, connect=settings.connect_timeout_s)
    http = httpx.AsyncClient(timeout=timeout)
    app = create_cloud_app(settings, http)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await http.aclose()

    app.router.lifespan_context = lifespan
    return app
