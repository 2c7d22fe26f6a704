"""Projects: detail, create, validate, edit, search."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from .pages import open_project, open_projects, project_rows


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def test_project_detail_shows_its_tasks(page: Page) -> None:
    open_project(page, 1)
    expect(page.locator(".task-item")).to_have_count(3)
    expect(page.locator(".description")).to_have_text("Landing page redesign")


def test_create_a_project(page: Page) -> None:
    name = unique("Discovery")
    open_projects(page)
    page.locator("#new-project-btn").click()
    page.get_by_label("Project name").fill(name)
    page.get_by_label("Description").fill("Created by the E2E suite")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_test_id("project-title")).to_have_text(name)


def test_a_project_needs_a_name(page: Page) -> None:
    open_projects(page)
    page.locator("#new-project-btn").click()
    page.get_by_role("button", name="Create project").click()
    expect(page.locator(".field-error")).to_have_text("Name is required.")


def test_project_names_are_unique(page: Page) -> None:
    open_projects(page)
    page.locator("#new-project-btn").click()
    page.get_by_label("Project name").fill("Borealis")
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("#name-error")).to_have_text("A project with this name already exists.")


def test_edit_a_project_description(page: Page) -> None:
    text = unique("Billing migration, phase")
    open_project(page, 2)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Description").fill(text)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("p.description")).to_have_text(text)


def test_search_filters_the_list(page: Page) -> None:
    open_projects(page)
    with page.expect_response(lambda r: "q=cass" in r.url):
        page.get_by_placeholder("Search projects").fill("cass")
    rows = project_rows(page)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Cassini")
