"""Locators parsed without evaluating code and resolved against real DOM snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_engine.errors import InputError
from agent_engine.fix.locators import (
    LocatorError,
    accessible_name,
    document,
    parse,
    render,
    resolve,
    role_of,
)

DRIFT = Path(__file__).parent / "fixtures" / "drift"
FORM = """<html><body><form id="f">
<label for="u">User name</label><input id="u" name="user">
<label>Password <input type="password" id="p"></label>
<input aria-label="Search" type="search" placeholder="Find…">
<input type="hidden" id="h" value="x">
<input type="submit" value="Go">
<button disabled>Off</button>
<div style="display: none"><button>Hidden</button></div>
<img src="a.png" alt="Logo">
<h2>Section</h2><ul><li>One</li><li>Two</li></ul>
<table><tr><th>Name</th></tr><tr><td>Ann</td></tr></table>
<a href="/x">Link <span>text</span></a><a>no href</a>
<span role="button" title="Tip">Custom</span>
</form></body></html>"""


@pytest.mark.parametrize(
    ("expression", "source"),
    [
        (
            'page.get_by_role("button", name="Save").nth(1)',
            'get_by_role("button", name="Save").nth(1)',
        ),
        ('self.page.locator("#a").locator(".b").first', 'locator("#a").locator(".b").first'),
        (
            "page.get_by_text('It\\'s \"here\"', exact=True)",
            "get_by_text('It\\'s \"here\"', exact=True)",
        ),
        (
            'page.get_by_test_id("row").filter(has_text="Apollo").last',
            'get_by_test_id("row").filter(has_text="Apollo").last',
        ),
    ],
)
def test_parse_and_render_round_trip(expression: str, source: str) -> None:
    assert render(parse(expression)) == source


@pytest.mark.parametrize(
    "expression",
    ["page.goto('/')", "page.locator(some_variable)", "not python (", "page", "page.click('#a')"],
)
def test_what_is_not_a_literal_locator_is_refused(expression: str) -> None:
    with pytest.raises(LocatorError):
        parse(expression)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('page.get_by_label("User name")', ["u"]),
        ('page.get_by_label("Password")', ["p"]),
        ('page.get_by_label("Search")', [None]),
        ('page.get_by_placeholder("Find")', [None]),
        ('page.get_by_role("button", name="Go")', [None]),
        ('page.get_by_role("button", name="Hidden")', []),
        ('page.get_by_role("button", name="Custom")', [None]),
        ('page.get_by_role("link")', [None]),
        ('page.get_by_text("Link text", exact=True)', [None]),
        ('page.get_by_alt_text("Logo")', [None]),
        ('page.get_by_title("Tip")', [None]),
        ('page.locator("li").nth(5)', []),
        ('page.locator("li").last', [None]),
        ('page.locator("#h")', []),
    ],
)
def test_resolution_follows_playwright(expression: str, expected: list[str | None]) -> None:
    root = document(FORM)
    assert [e.get("id") for e in resolve(root, parse(expression))] == expected


def test_roles_and_names() -> None:
    root = document(FORM)
    roles = {role_of(e) for e in root.iter() if isinstance(e.tag, str)}
    assert {
        "textbox",
        "searchbox",
        "button",
        "img",
        "heading",
        "list",
        "listitem",
        "table",
        "row",
        "cell",
        "columnheader",
        "link",
        "form",
    } <= roles
    link = next(e for e in root.iter("a") if e.get("href"))
    assert accessible_name(link) == "Link text"


def test_a_bad_selector_or_snapshot_is_a_clear_error() -> None:
    with pytest.raises(LocatorError, match="unsupported CSS selector"):
        resolve(document(FORM), parse('page.locator("::nope(")'))
    with pytest.raises(InputError, match="DOM snapshot is empty"):
        document("")


# Real pages: Django admin's comments, <template>, inline SVG, iframes, processing
# instructions and markup no browser would reject.
REAL_PAGE = """<!DOCTYPE html><html><head><!-- head comment --><title>Admin</title></head>
<body><!-- nav starts --><nav><a href="/">Home<!-- inline --></a></nav>
<?php echo 1 ?>
<div id="content"><h1>Select task<!-- x --> to change</h1>
<template><button>Add task</button></template>
<svg width="10"><title>chart</title><text>42</text></svg>
<iframe src="/frame"></iframe>
<p>Add <!-- split --> task here</p>
<input placeholder="Search tasks"><label>Due <input name="due"></label>
<button type="submit">Add task</button>
</div><td>stray cell<b>unclosed
</body></html>"""


@pytest.mark.parametrize(
    ("locator", "count"),
    [
        ('page.get_by_text("Add task")', 2),
        ('page.get_by_text("Add task", exact=True)', 1),
        ('page.get_by_text("Select task to change")', 1),
        ('page.get_by_role("button", name="Add task")', 1),
        ('page.get_by_role("link", name="Home")', 1),
        ('page.get_by_placeholder("Search tasks")', 1),
        ('page.get_by_label("Due")', 1),
        ('page.get_by_alt_text("Logo")', 0),
        ('page.get_by_title("chart")', 0),
        ('page.get_by_test_id("nope")', 0),
        ('page.locator("#content button")', 1),
    ],
)
def test_a_real_page_with_comments_templates_and_svg_resolves(locator: str, count: int) -> None:
    """Comments and processing instructions are not elements, a <template>'s content is not
    rendered, and text split by a comment reads as the browser shows it."""
    found = resolve(document(REAL_PAGE), parse(locator))
    assert len(found) == count, [f.tag for f in found]


def test_text_split_by_a_comment_reads_as_shown() -> None:
    root = document(REAL_PAGE)
    [heading] = resolve(root, parse('page.get_by_role("heading")'))
    assert accessible_name(heading) == "Select task to change"


@pytest.mark.parametrize(
    "html", ["", "   ", "<!-- only a comment -->", "<html><body> </body></html>"]
)
def test_an_empty_or_unreadable_snapshot_is_an_input_error(html: str) -> None:
    with pytest.raises(InputError, match="DOM snapshot"):
        resolve(document(html), parse('page.get_by_text("x")'))
