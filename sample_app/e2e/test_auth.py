"""Signing in and out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_a_wrong_password_is_refused(anonymous_page: Page) -> None:
    anonymous_page.goto("/login")
    anonymous_page.get_by_label("Username").fill("demo")
    anonymous_page.get_by_placeholder("Your password").fill("not-the-password")
    anonymous_page.get_by_role("button", name="Sign in").click()
    expect(anonymous_page.get_by_role("alert")).to_have_text("Invalid username or password.")


def test_visitors_are_sent_to_sign_in(anonymous_page: Page) -> None:
    anonymous_page.goto("/projects/2")
    expect(anonymous_page).to_have_url(re.compile(r"/login\?next=/projects/2$"))


def test_sign_out_ends_the_session(page: Page) -> None:
    page.goto("/projects")
    expect(page.locator(".whoami")).to_contain_text("demo")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
