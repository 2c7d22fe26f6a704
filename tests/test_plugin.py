"""The pytest plugin, run for real on small suites in Chromium: a failed test's pages are saved
and named in the JUnit XML (pytest-playwright's page, a browser the test launched and closed
itself), the failing line of the test code is named whatever `--tb` says, CHROMIUM_EXECUTABLE
is honoured, and `-p no:agent_engine` turns it all off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_engine.triage.junit import read_cases

CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else ""
)
PAGE = "<html><body><h1>Orders</h1><button id='place-order'>Place order</button></body></html>"
CONFTEST = f"""
import pytest

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    extra = {{"executable_path": {CHROMIUM!r}}} if {CHROMIUM!r} else {{}}
    return {{**browser_type_launch_args, **extra, "args": ["--no-sandbox", "--disable-gpu"]}}
"""
FIXTURE_SUITE = f"""
from playwright.sync_api import Page, expect


def test_passes(page: Page) -> None:
    page.set_content({PAGE!r})
    expect(page.get_by_role("heading")).to_have_text("Orders")


def test_stale_locator(page: Page) -> None:
    page.set_content({PAGE!r})
    page.locator("#submit-order").click(timeout=500)
"""
# A suite that starts Playwright and its browser itself, and closes it in `finally`: the
# pages are gone by the time pytest reports, so the plugin keeps them as they close.
SELF_LAUNCHED = f"""
from playwright.sync_api import sync_playwright


def test_own_browser() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_content({PAGE!r})
            page.get_by_role("button", name="Submit order").click(timeout=500)
        finally:
            browser.close()
"""


def run_suite(
    folder: Path, suite: str, *extra: str, env: dict[str, str] | None = None, conftest: bool = True
) -> list[object]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_suite.py").write_text(suite)
    if conftest:
        (folder / "conftest.py").write_text(CONFTEST)
    junit = folder / "junit.xml"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(folder),
            "-c",
            os.devnull,
            f"--junitxml={junit}",
            *extra,
            "test_suite.py",
        ],
        cwd=folder,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    return read_cases([junit])


@pytest.mark.slow
def test_a_failed_test_keeps_its_page_and_names_it_in_the_junit(tmp_path: Path) -> None:
    cases = {c.result.id.rsplit("::", 1)[-1]: c for c in run_suite(tmp_path, FIXTURE_SUITE)}
    assert "dom_snapshot" not in cases["test_passes[chromium]"].properties
    failed = cases["test_stale_locator[chromium]"]
    snapshot = tmp_path / failed.properties["dom_snapshot"]
    assert 'id="place-order"' in snapshot.read_text()
    assert failed.properties["page_url"] == "about:blank"
    assert failed.properties["failure_location"] == "test_suite.py:12"
    assert (failed.result.file, failed.result.line) == ("test_suite.py", 12)
    # beside pytest-playwright's own artifacts of the test
    assert snapshot.parent.parent.name == "test-results"


@pytest.mark.slow
def test_a_browser_the_test_launched_and_closed_itself_is_kept(tmp_path: Path) -> None:
    env = {"CHROMIUM_EXECUTABLE": CHROMIUM} if CHROMIUM else {}
    cases = run_suite(tmp_path, SELF_LAUNCHED, "--tb=native", env=env, conftest=False)
    failed = cases[0]
    assert failed.result.id.endswith("test_own_browser")
    snapshot = tmp_path / failed.properties["dom_snapshot"]
    assert "Place order" in snapshot.read_text()
    # --tb=native prints no `file:line:` for the test; the plugin names it anyway
    assert ":" not in failed.text.split("test_suite.py", 1)[-1][:2]
    assert failed.properties["failure_location"] == "test_suite.py:11"  # the click
    assert (failed.result.file, failed.result.line) == ("test_suite.py", 11)


@pytest.mark.slow
@pytest.mark.skipif(
    not CHROMIUM, reason="needs a Chromium binary to wrap (Debian's or CHROMIUM_EXECUTABLE)"
)
def test_every_chromium_launch_honours_chromium_executable(tmp_path: Path) -> None:
    used = tmp_path / "launched-by-wrapper"
    wrapper = tmp_path / "chromium-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$@" > {used}\nexec {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    cases = run_suite(
        tmp_path / "suite", SELF_LAUNCHED, env={"CHROMIUM_EXECUTABLE": str(wrapper)}, conftest=False
    )
    assert used.exists()
    assert "dom_snapshot" in cases[0].properties


@pytest.mark.slow
def test_the_plugin_is_off_with_p_no_agent_engine(tmp_path: Path) -> None:
    cases = run_suite(tmp_path, FIXTURE_SUITE, "-p", "no:agent_engine")
    assert all("dom_snapshot" not in c.properties for c in cases)
    assert all("failure_location" not in c.properties for c in cases)
    assert not (tmp_path / "test-results" / "agent-engine-dom").exists()


# A passing suite whose second action happens on the page the first one changed.
BASELINE_SUITE = f"""
from playwright.sync_api import Page, expect


def test_places_an_order(page: Page) -> None:
    page.set_content({PAGE!r})
    page.locator("#place-order").click()
    page.set_content("<main><p id='placed'>Order placed</p></main>")
    expect(page.locator("#placed")).to_have_text("Order placed")  # an assertion only
    page.set_content("<main><p>Order placed</p><a id='receipt' href='#r'>Receipt</a></main>")
    page.get_by_role("link", name="Receipt").click()
    page.get_by_role("link", name="Receipt").hover()


def test_fails(page: Page) -> None:
    page.set_content({PAGE!r})
    page.locator("#place-order").click()
    page.locator("#missing").click(timeout=300)
"""


@pytest.mark.slow
def test_with_the_baseline_option_a_passing_test_keeps_the_page_before_each_action(
    tmp_path: Path,
) -> None:
    cases = {
        c.result.id.rsplit("::", 1)[-1]: c
        for c in run_suite(tmp_path, BASELINE_SUITE, "--agent-engine-baseline")
    }
    passed = cases["test_places_an_order[chromium]"].properties
    names = ("dom_baseline", "dom_baseline_2", "dom_baseline_3")
    pages = [(tmp_path / passed[k]).read_text() for k in names]
    assert 'id="place-order"' in pages[0]
    assert 'id="placed"' in pages[1]  # before the assertion
    assert 'id="receipt"' in pages[2]
    assert "dom_baseline_4" not in passed  # the same page before the hover: kept once
    failed = cases["test_fails[chromium]"].properties
    assert not any(k.startswith("dom_baseline") for k in failed)  # a failure keeps its own
    assert "dom_snapshot" in failed
    without = run_suite(tmp_path / "off", BASELINE_SUITE)
    assert not any(k.startswith("dom_baseline") for c in without for k in c.properties)
    by_env = run_suite(tmp_path / "env", BASELINE_SUITE, env={"AGENT_ENGINE_BASELINE": "1"})
    assert any(k.startswith("dom_baseline") for c in by_env for k in c.properties)
