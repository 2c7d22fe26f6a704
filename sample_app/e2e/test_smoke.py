"""Page smoke: the main pages load (selected with -m smoke)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .pages import open_project, open_projects, project_rows

pytestmark = pytest.mark.smoke


def test_sign_in_page_has_the_form(anonymous_page: Page) -> None:
    anonymous_page.goto("/login")
    expect(anonymous_page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(anonymous_page.get_by_label("Username")).to_be_editable()
    expect(anonymous_page.get_by_placeholder("Your password")).to_be_editable()


def test_projects_page_lists_the_seeded_projects(page: Page) -> None:
    open_projects(page)
    rows = project_rows(page)
    for name in ("Apollo", "Borealis", "Cassini"):
        expect(rows.filter(has_text=name)).to_be_visible()


def test_project_page_loads(page: Page) -> None:
    open_project(page, 1)
    expect(page.get_by_test_id("project-title")).to_have_text("Apollo")


def test_health_reports_the_database(page: Page) -> None:
    health = page.request.get("/api/health/")
    assert health.ok
    assert health.json()["database"] == "ok"
