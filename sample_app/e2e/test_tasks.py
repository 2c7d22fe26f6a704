"""Tasks of a project."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from .pages import open_project


def test_add_a_task(page: Page) -> None:
    title = f"Write release notes {uuid.uuid4().hex[:6]}"
    open_project(page, 3)
    page.get_by_placeholder("New task title").fill(title)
    page.get_by_role("button", name="Add task").click()
    expect(page.get_by_text(title)).to_be_visible()


def test_complete_a_task(page: Page) -> None:
    open_project(page, 2)
    page.get_by_role("checkbox", name="Export invoices").check()
    expect(page.locator(".task-item.done")).to_contain_text("Export invoices")


def test_tasks_keep_their_order(page: Page) -> None:
    open_project(page, 1)
    expect(page.locator(".task-item label")).to_have_text(
        ["Write copy", "Pick hero image", "Ship it"]
    )
