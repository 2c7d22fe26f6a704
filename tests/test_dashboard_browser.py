"""The built site in real Chromium, served from a Pages-like sub-path on 127.0.0.1 and opened
from file://: navigation, evidence and diff visible, charts with text alternatives, no request
leaving loopback, light and dark, and axe-core finding no serious or critical violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from agent_engine.report.dashboard import build
from agent_engine.report.history import DashboardData
from sample_app.browser import launch_args
from tests.builders import every_kind_of_run
from tests.fakes.loopback import serve_folder

RUN = "acme~shop~1003~1~e2e-tests"


# Playwright is started and stopped here rather than through pytest-playwright's session
# fixtures: its sync API keeps an event loop running in the main thread while it lives, and
# the services' async tests later in the same session need that thread's loop free.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**launch_args())
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    return build(DashboardData(runs=every_kind_of_run()), root / "shop")


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_folder(site.parent) as url:
        yield f"{url}/shop/"  # a project site lives under /<repository>/ on GitHub Pages


def test_from_the_index_to_a_run_and_back(page: Page, site_url: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site_url)
    expect(page.get_by_role("heading", name="CI runs")).to_be_visible()
    page.get_by_role("link", name="1003 · e2e-tests").click()
    expect(page).to_have_url(f"{site_url}runs/{RUN}.html")
    expect(page.get_by_role("heading", name="Verdict: locator_not_found")).to_be_visible()
    expect(page.locator("pre.log mark").first).to_contain_text("Locator.click: Timeout 5000ms")
    diff = page.get_by_label("The patch as a unified diff")
    expect(diff).to_be_visible()
    expect(diff.locator(".add")).to_contain_text('get_by_role("link", name="New project")')
    page.get_by_role("link", name="← All runs").click()
    expect(page).to_have_url(f"{site_url}index.html")
    origin = site_url.split("/shop/", maxsplit=1)[0]
    assert requests
    assert all(url.startswith(origin + "/") for url in requests), requests


def test_charts_have_text_alternatives(page: Page, site_url: str) -> None:
    page.goto(site_url)
    charts = page.get_by_role("img")
    expect(charts).to_have_count(2)
    for chart in charts.all():
        title, desc = chart.get_attribute("aria-labelledby").split()  # type: ignore[union-attr]
        assert page.locator(f"[id='{title}']").text_content()
        assert re.search(r"\d", page.locator(f"[id='{desc}']").text_content() or "")
    expect(page.get_by_role("img", name="Pass rate per run")).to_be_visible()
    page.get_by_text("The numbers").click()
    expect(page.get_by_role("cell", name="locator_not_found: 1").first).to_be_visible()


@pytest.mark.parametrize("path", ["", f"runs/{RUN}.html", "runs/acme~shop~1005~1~e2e-tests.html"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation(
    page: Page, site_url: str, path: str, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(site_url + path)
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_light_and_dark(page: Page, site_url: str) -> None:
    background = "getComputedStyle(document.body).backgroundColor"
    page.emulate_media(color_scheme="light")
    page.goto(site_url)
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(background) == "rgb(13, 17, 23)"


def test_it_works_from_file(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    expect(page.locator(".badge").first).to_have_css("border-radius", "10px")  # style.css loaded
    page.get_by_role("link", name="1005 · e2e-tests").click()
    expect(page.get_by_role("heading", name="Verdict: network_flake")).to_be_visible()
    expect(page.get_by_text("Guardrails: refused")).to_be_visible()
    expect(page.locator("tr.refuse")).to_contain_text("protected_path")


def test_the_keyboard_reaches_the_runs(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the filter first: branch, error type, test
    expect(page.get_by_role("combobox", name="Branch / PR")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")  # then the scrollable table of runs
    expect(page.get_by_role("region", name="Table of the latest runs")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="1001 · e2e-tests")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Every test passed")).to_be_visible()
