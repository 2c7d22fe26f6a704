"""The app factories the entry points use, wired from an environment mapping."""

from __future__ import annotations

import importlib
from pathlib import Path

import httpx
import pytest

from agent_engine.web.apps import cloud_agent, developer_agent
from agent_engine.web.store import open_store

pytestmark = pytest.mark.anyio


async def test_the_developer_agent_migrates_its_store_on_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/dev.db"
    app = developer_agent(
        {
            "DEVELOPER_AGENT_TOKEN": "t",
            "AGENT_ENGINE_DATABASE_URL": url,
            "AGENT_ENGINE_DRAIN_FILE": str(tmp_path / "drain"),
        }
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as client,
    ):
        health = await client.get("/health")
    assert health.json() == {
        "status": "ok",
        "deployment_status": "stable",
        "version": "0.1.0",
        "store": "ok",
    }
    assert open_store(url).count() == 0


async def test_a_store_that_is_down_at_start_does_not_stop_the_service(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("")
    app = developer_agent(
        {
            "DEVELOPER_AGENT_TOKEN": "t",
            "AGENT_ENGINE_DATABASE_URL": f"sqlite:///{tmp_path}/not-a-dir/x.db",
            "AGENT_ENGINE_DRAIN": "1",
        }
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as client,
    ):
        health = await client.get("/health")
    assert (health.status_code, health.json()["deployment_status"]) == (503, "deploying")


async def test_the_cloud_agent_reads_its_secrets_from_the_environment() -> None:
    app = cloud_agent({"AGENT_TOKEN": "a", "DEVELOPER_AGENT_URL": "", "AGENT_ENGINE_DRAIN": "0"})
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://c",
            headers={"Authorization": "Bearer a"},
        ) as c,
    ):
        answer = await c.post(
            "/api/ci/logs", content=b"{}", headers={"Content-Type": "application/json"}
        )
    assert answer.json()["error"]["error_code"] == "not_configured"
    assert "DEVELOPER_AGENT_URL" in answer.json()["error"]["message"]


def test_the_vercel_entry_points_build_their_apps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AGENT_ENGINE_DATABASE_URL", f"sqlite:///{tmp_path}/v.db")
    for module in ("api.ci.logs", "api.process_logs"):
        app = importlib.import_module(module).app
        assert callable(app)
