"""Shared fixtures: the built-in rules, a classifier, and a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import Rule, load_rules

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def rules() -> list[Rule]:
    return load_rules()


@pytest.fixture(scope="session")
def classifier(rules: list[Rule]) -> Classifier:
    return Classifier(rules)


ADMIN_URL = os.environ.get("AGENT_ENGINE_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """`postgresql://…/sample_app_<random>`, created for the test and dropped after it."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise  # CI runs the PostgreSQL tests; a missing server is a failure there
        pytest.skip(f"no PostgreSQL at {ADMIN_URL} (set AGENT_ENGINE_TEST_POSTGRES): {exc}")
    name = f"sample_app_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# The fixtures hold small projects of their own (an app with its own UI tests): data for the
# tests here, never collected as tests of this project.
collect_ignore = ["fixtures"]
