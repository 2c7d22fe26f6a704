"""The E2E suite's fixtures: Chromium as ecosystem.md B3 launches it, the saved sign-in, and a
DOM snapshot next to the screenshot and trace of every failed test."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
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
    output_path: str,  # noqa: ARG001 - requested so the failure hook finds the folder
) -> Iterator[Page]:
    """A page in a fresh context with nobody signed in."""
    context: BrowserContext = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, Any, None]:
    """On failure, keep the page's HTML and name it in the JUnit XML (`dom_snapshot`)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("page") or funcargs.get("anonymous_page")
    folder = funcargs.get("output_path")
    if page is None or folder is None or page.is_closed():
        return
    path = Path(folder) / "dom.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page.content(), encoding="utf-8")
    item.user_properties.append(("dom_snapshot", report_path(item.config, path)))


def report_path(config: pytest.Config, path: Path) -> str:
    """Like pytest-playwright's artifact paths: relative to where pytest started, if inside."""
    try:
        return str(path.resolve().relative_to(config.invocation_params.dir))
    except ValueError:
        return str(path.resolve())
