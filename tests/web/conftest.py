"""Services in process: a migrated store (SQLite, or PostgreSQL), settings, clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import stamina
from pydantic import SecretStr

from agent_engine.settings import ServiceSettings
from agent_engine.triage.classify import Classifier
from agent_engine.web.developer import create_developer_app
from agent_engine.web.store import PostgresStore, SQLiteStore, SqlStore

DEV_TOKEN = "dev-token-0123456789"
AGENT_TOKEN = "agent-token-0123456789"


@pytest.fixture(autouse=True)
def _no_retry_waits() -> Iterator[None]:
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        opened: SqlStore = SQLiteStore(tmp_path / "store.db")
    else:
        opened = PostgresStore(request.getfixturevalue("pg_url"))
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> SqlStore:
    opened = SQLiteStore(tmp_path / "store.db")
    opened.migrate()
    return opened


@pytest.fixture
def dev_settings(tmp_path: Path) -> ServiceSettings:
    return ServiceSettings(
        developer_agent_token=SecretStr(DEV_TOKEN), drain_file=tmp_path / "drain"
    )


@pytest.fixture
async def dev_client(
    dev_settings: ServiceSettings, sqlite_store: SqlStore, classifier: Classifier
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_developer_app(dev_settings, sqlite_store, classifier)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://developer"
    ) as client:
        client.headers["Authorization"] = f"Bearer {DEV_TOKEN}"
        yield client


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL for the drills: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/agent-engine.db"
    return str(request.getfixturevalue("pg_url"))
