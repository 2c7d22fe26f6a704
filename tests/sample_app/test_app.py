"""sample_app's request handling in process: CSRF, sign-in, validation, the health URL."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sample_app.app import Config, create_app
from sample_app.db import Database, migrate
from sample_app.repo import seed

pytestmark = pytest.mark.anyio


def config(tmp_path: Path, faults: frozenset[str] = frozenset()) -> Config:
    database = Database(None, tmp_path / "app.db")
    migrate(database, faults)
    seed(database, faults)
    return Config(database, faults, "test-secret", tmp_path, time.time())


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(config(tmp_path)))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        yield http


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient) -> None:
    token = await csrf(client, "/login")
    answer = await client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "demo",
            "password": "demo-password",
            "next": "/projects",
        },
    )
    assert answer.status_code == 303


async def test_a_form_without_its_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    answer = await client.post("/login", data={"username": "demo", "password": "demo-password"})
    assert answer.status_code == 403
    assert "CSRF verification failed." in answer.text


async def test_pages_and_api_need_a_session(client: httpx.AsyncClient) -> None:
    page = await client.get("/projects/2")
    assert (page.status_code, page.headers["location"]) == (302, "/login?next=/projects/2")
    assert (await client.get("/api/projects")).status_code == 401


async def test_signed_in_api_and_validation(client: httpx.AsyncClient) -> None:
    await sign_in(client)
    names = [p["name"] for p in (await client.get("/api/projects")).json()["projects"]]
    assert names == ["Apollo", "Borealis", "Cassini"]
    token = await csrf(client, "/projects/new")
    answer = await client.post("/projects/new", data={"csrf_token": token, "name": ""})
    assert answer.status_code == 400
    assert "Name is required." in answer.text
    assert (await client.get("/projects/99")).status_code == 404
    assert (await client.get("/api/projects/99/tasks")).json() == {
        "error": "Project 99 does not exist"
    }


async def test_open_redirects_are_refused(client: httpx.AsyncClient) -> None:
    token = await csrf(client, "/login")
    answer = await client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "demo",
            "password": "demo-password",
            "next": "//evil.example/x",
        },
    )
    assert answer.headers["location"] == "/projects"


async def test_health_reports_the_database(client: httpx.AsyncClient, tmp_path: Path) -> None:
    assert (await client.get("/api/health/")).json() == {
        "status": "ok",
        "database": "ok",
        "engine": "sqlite",
    }
    broken = Config(Database(None, tmp_path / "missing" / "x.db"), frozenset(), "s", tmp_path, 0)
    transport = httpx.ASGITransport(app=create_app(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        answer = await http.get("/api/health/")
    assert answer.status_code == 503
    assert answer.json()["database"] == "unavailable"
