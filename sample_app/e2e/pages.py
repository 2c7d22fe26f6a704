"""Page helpers shared by the tests: open a page and wait for the data it loads."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


def open_projects(page: Page) -> None:
    """The project list, once its rows have arrived from the API."""
    with page.expect_response(lambda r: "/api/projects" in r.url):
        page.goto("/projects")


def open_project(page: Page, project_id: int) -> None:
    """A project's page, once its tasks have arrived from the API."""
    with page.expect_response(lambda r: f"/api/projects/{project_id}/tasks" in r.url):
        page.goto(f"/projects/{project_id}")


def project_rows(page: Page) -> Locator:
    """The rows of the project list."""
    return page.get_by_test_id("project-row")
