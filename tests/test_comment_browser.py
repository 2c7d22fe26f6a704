"""The PR comment as GitHub shows it: rendered by a real CommonMark renderer (markdown-it-py,
with GitHub's tables and raw HTML for `<details>`), opened in Chromium, read for the facts a
reviewer acts on, and screenshotted."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from playwright.sync_api import Page, expect

from agent_engine.report.comment import render
from tests.builders import every_kind_of_run
from tests.test_dashboard_browser import browser, page  # noqa: F401 - the fixtures

RUNS = {r.run_id: r for r in every_kind_of_run()}
GITHUB_LIKE = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def show(page: Page, markdown: str, tmp_path: Path, name: str) -> Path:  # noqa: F811
    body = GITHUB_LIKE.render(markdown)
    html = tmp_path / f"{name}.html"
    html.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>comment</title>'
        "<style>body{font:14px system-ui;max-width:900px;margin:16px}code{background:#eee}"
        "</style></head><body><main>" + body + "</main></body></html>",
        encoding="utf-8",
    )
    page.goto(html.as_uri())
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=shot, full_page=True)
    return shot


def test_a_drift_runs_comment_as_rendered(page: Page, tmp_path: Path) -> None:  # noqa: F811
    run = RUNS["1003"]
    shot = show(page, render(run, "https://acme.github.io/shop/runs/x.html"), tmp_path, "drift")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=3)).to_have_text(
        "Agent Engine · run 1003 (e2e-tests) · run page · artifacts"
    )
    expect(main.get_by_text("locator_not_found", exact=True)).to_have_count(1)  # said once
    group = page.get_by_role("listitem").filter(has_text="×2 tests").last  # the inner item
    expect(group.locator("code").first).to_have_text('locator("#new-project-btn")')
    link = group.get_by_role("link", name="sample_app/e2e/test_projects.py:25")
    expect(link).to_have_attribute(
        "href",
        f"https://github.com/acme/shop/blob/{run.sha}/sample_app/e2e/test_projects.py#L25",
    )
    expect(group).to_contain_text("new → apply the validated patch below")
    healed = page.get_by_role("listitem").filter(has_text="score 0.91").last
    expect(healed.locator("code")).to_have_text(
        [
            'locator("#new-project-btn")',
            'get_by_role("link", name="New project")',
            "sample_app/e2e/test_projects.py:25",
        ]
    )
    diff = page.locator("details pre")
    expect(diff).to_be_hidden()  # collapsed until asked for
    page.get_by_text("The patch (+1, -1)").click()
    expect(diff).to_contain_text('+    page.get_by_role("link", name="New project").click()')
    reproduce = page.get_by_role("listitem").filter(has_text="reproduce:").last.locator("code")
    expect(reproduce).to_have_text(
        "python -m pytest -c sample_app/e2e/pytest.ini "
        "'sample_app/e2e/test_projects.py::test_create_a_project[chromium]'"
    )
    assert shot.stat().st_size > 10_000


def test_an_expired_session_runs_comment_as_rendered(page: Page, tmp_path: Path) -> None:  # noqa: F811
    run = RUNS["1002"].model_copy(
        update={
            "error_type": "auth_failed",
            "confidence": 0.9,
            "summary": "auth_failed (90%): the saved login state is missing or expired",
            "next_step": "Regenerate the storage state (sign in again), then rerun.",
        }
    )
    show(page, render(run), tmp_path, "session")
    expect(page.get_by_role("heading", name="Healed by self-heal")).to_be_visible()
    expect(page.get_by_role("heading", name="Infrastructure")).to_be_visible()
    verdict = page.get_by_role("listitem").filter(has_text="auth_failed").first
    expect(verdict).to_contain_text("(90% confidence): the saved login state is missing")
    expect(page.get_by_role("main")).to_contain_text("reseed_db")
