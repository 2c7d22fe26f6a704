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


@pytest.mark.parametrize(
    "path",
    [
        "",
        f"runs/{RUN}.html",
        "runs/acme~shop~1005~1~e2e-tests.html",
        "history:tests",
        "history:signatures",
    ],
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation(
    page: Page, site_url: str, path: str, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    if path.startswith("history:"):
        page.goto(site_url)
        page.locator(f"a[href^='{path.split(':')[1]}/']").first.click()
    else:
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


@pytest.mark.parametrize("where", ["served", "file"])
def test_the_index_filters_by_branch_error_type_and_test(
    page: Page, site: Path, site_url: str, where: str
) -> None:
    page.goto(site_url if where == "served" else (site / "index.html").as_uri())
    rows = page.locator("table.runs tbody tr")
    expect(rows).to_have_count(9)
    page.get_by_role("combobox", name="Error type").select_option("network_flake")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text("1005 · e2e-tests")
    expect(page.locator("#filter-count")).to_have_text("1 of 9 runs match")
    page.get_by_role("combobox", name="Error type").select_option("")
    page.get_by_role("searchbox", name="Failed test").fill("rename_a")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("1003 · e2e-tests")
    expect(rows.first).to_contain_text("validated")
    page.get_by_role("searchbox", name="Failed test").fill("")
    page.get_by_role("combobox", name="Branch / PR").select_option("PR #7")
    expect(rows).to_have_count(1)
    page.get_by_role("combobox", name="Branch / PR").select_option("")
    expect(rows).to_have_count(9)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("^Run 100"))).to_be_visible()


def test_without_script_the_index_lists_the_runs_and_hides_the_filter(
    browser: Browser, site_url: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url)
    expect(page.locator("table.runs tbody tr")).to_have_count(9)
    expect(page.get_by_role("combobox", name="Error type")).to_be_hidden()
    context.close()


def test_from_a_flaky_test_to_its_page_and_from_a_run_to_its_signature(
    page: Page, site_url: str, tmp_path: Path
) -> None:
    page.goto(site_url)
    page.get_by_role("link", name="sample_app/e2e/test_tasks.py::test_add_a_task[chromium]").click()
    expect(page.get_by_role("heading", name=re.compile("^Test"))).to_contain_text("test_add_a_task")
    expect(page.locator("dl.facts")).to_contain_text("Flake rate11%")
    strip = page.get_by_role("list", name="Newest run first").get_by_role("listitem")
    expect(strip).to_have_count(9)
    page.screenshot(path=tmp_path / "test-page.png", full_page=True)
    page.goto(f"{site_url}runs/{RUN}.html")
    page.get_by_role("link", name="locator_not_found:062b221bc609840d").click()
    expect(page.get_by_role("heading", name=re.compile("^Failure signature"))).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("First seen (UTC)2026-11-04 10:03")
    runs = page.get_by_role("table").get_by_role("row")
    expect(runs).to_have_count(4)  # the header and 1006, 1004, 1003
    page.screenshot(path=tmp_path / "signature-page.png", full_page=True)
    assert (tmp_path / "test-page.png").stat().st_size > 10_000
