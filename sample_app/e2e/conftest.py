"""The E2E suite's fixtures: Chromium as ecosystem.md B3 launches it and the saved sign-in.
(Agent Engine's pytest plugin keeps a DOM snapshot of every failed test beside its trace.)"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from sample_app.browser import launch_args

TIMEOUT_MS = int(os.environ.get("E2E_TIMEOUT_MS", "5000"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--storage-state",
        default=os.environ.get("SAMPLE_APP_STORAGE_STATE", ".sample_app/auth/state.json"),
        help="the signed-in storage state written by `python -m sample_app auth`",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return launch_args(browser_type_launch_args)


@pytest.fixture(scope="session")
def browser_context_args(
    browser_context_args: dict[str, Any], pytestconfig: pytest.Config
) -> dict[str, Any]:
    """Every test starts signed in, from the storage state of the auth step."""
    return {**browser_context_args, "storage_state": pytestconfig.getoption("--storage-state")}


@pytest.fixture(autouse=True)
def _timeouts(request: pytest.FixtureRequest) -> None:
    expect.set_options(timeout=TIMEOUT_MS)
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(TIMEOUT_MS)


@pytest.fixture
def anonymous_page(
    browser: Browser,
    base_url: str,
    output_path: str,  # noqa: ARG001 - failure snapshots land beside the trace
) -> Iterator[Page]:
    """A page in a fresh context with nobody signed in."""
    context: BrowserContext = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
