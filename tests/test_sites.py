"""Where a locator is built, followed through the test's variables and f-strings, and the
smallest edit that heals it there."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_engine.fix.locators import LocatorError, parse
from agent_engine.fix.sites import edits, locate, uses, write_edits
from agent_engine.fix.worktree import git
from agent_engine.settings import GuardrailPolicy

SUITE = """import re

ROW = "#list-section table"


def test_edit_item(page, item_id):
    page.goto("/items")
    page.locator(f'#sec a[hx-put="/item/{item_id}"]').click()
    expect(page.locator(f"#sec tr[data-id='{item_id}'] td.name")).to_have_text("Bolts")


def test_rows(page):
    table = page.locator("#list-section table")
    cells = table.locator("tbody tr td")
    expect(cells).to_have_count(4)
    cells.first.click()


def test_twice(page):
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Title").fill("x")
    page.get_by_role(
        "button", name="Save"
    ).click()


def test_other(page):
    page.get_by_role("button", name="Save").click()
"""


def test_an_f_string_matches_the_text_it_printed() -> None:
    source = SUITE.encode()
    [use] = [
        u for u in uses("t.py", source) if u.fits(parse("""locator('#sec a[hx-put="/item/42"]')"""))
    ]
    assert use.site.first_line == 8
    assert not use.fits(parse("""locator('#sec b[hx-put="/item/42"]')"""))


@pytest.mark.parametrize(
    ("old", "new", "written"),
    [
        # the id in the literal part was renamed
        (
            """locator('#sec a[hx-put="/item/42"]')""",
            """locator('#section a[hx-put="/item/42"]')""",
            """f'#section a[hx-put="/item/{item_id}"]'""",
        ),
        # the URL around the value changed: both literal parts edited, the value kept
        (
            """locator('#sec a[hx-put="/item/42"]')""",
            """locator('#sec a[hx-put="/items/42/"]')""",
            """f'#sec a[hx-put="/items/{item_id}/"]'""",
        ),
    ],
)
def test_an_f_string_is_healed_in_its_literal_part(old: str, new: str, written: str) -> None:
    source = SUITE.encode()
    [use] = [u for u in uses("t.py", source) if u.fits(parse(old))]
    [(site, after)] = edits(use, source, parse(old), parse(new))
    assert after == written
    assert site.text == """f'#sec a[hx-put="/item/{item_id}"]'"""


def test_a_heal_that_changes_the_filled_in_value_is_refused() -> None:
    source = SUITE.encode()
    old = """locator('#sec a[hx-put="/item/42"]')"""
    [use] = [u for u in uses("t.py", source) if u.fits(parse(old))]
    with pytest.raises(LocatorError, match="filled in at run time"):
        edits(use, source, parse(old), parse("""locator('#sec a[hx-put="/item/43"]')"""))
    with pytest.raises(LocatorError, match="form"):
        edits(use, source, parse(old), parse('get_by_role("link", name="Edit")'))


def test_a_locator_built_through_variables_is_healed_where_the_broken_part_is_written() -> None:
    source = SUITE.encode()
    old = parse('locator("#list-section table").locator("tbody tr td")')
    found = [u for u in uses("t.py", source) if u.fits(old)]
    assert [u.site.first_line for u in found] == [14]  # `cells = table.locator(...)`
    new = parse('locator("#items-section table").locator("tbody tr td")')
    [(site, after)] = edits(found[0], source, old, new)
    assert (site.first_line, site.text, after) == (
        13,
        '"#list-section table"',
        '"#items-section table"',
    )
    # a module constant is not a variable of the test: not followed
    assert not [
        u for u in uses("t.py", source) if u.fits(parse('locator("#list-section table").first'))
    ]


def test_a_structural_heal_of_a_variable_built_locator_is_refused() -> None:
    source = SUITE.encode()
    old = parse('locator("#list-section table").locator("tbody tr td")')
    [use] = [u for u in uses("t.py", source) if u.fits(old)]
    with pytest.raises(LocatorError, match="variables or f-strings"):
        edits(use, source, old, parse('get_by_test_id("cell")'))


def test_every_use_in_the_failing_test_is_healed_and_no_other(tmp_path: Path) -> None:
    git(["init", "-q"], tmp_path)
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "test_forms.py").write_text(SUITE)
    git(["add", "."], tmp_path)
    base = parse('get_by_role("button", name="Save")')
    policy = GuardrailPolicy(allowed=["e2e/**"])
    found = locate(tmp_path, "e2e/test_forms.py", 22, base, policy)
    assert [u.site.first_line for u in found] == [20, 22]
    new = parse('get_by_role("button", name="Save changes")')
    source = (tmp_path / "e2e" / "test_forms.py").read_bytes()
    changes = [e for u in found for e in edits(u, source, base, new)]
    write_edits(tmp_path, changes)
    text = (tmp_path / "e2e" / "test_forms.py").read_text()
    assert text.count('name="Save changes"') == 2
    assert text.count('name="Save")') == 1  # test_other's, on a page that did not fail
    assert '    page.get_by_role(\n        "button", name="Save changes"\n    ).click()' in text


def test_a_quote_style_and_an_escape_are_kept_valid() -> None:
    source = b"def test_q(page):\n    page.get_by_text('Add task').click()\n"
    old = parse('get_by_text("Add task")')
    [use] = [u for u in uses("t.py", source) if u.fits(old)]
    [(_, after)] = edits(use, source, old, parse('get_by_text("Add a task")'))
    assert after == "'Add a task'"
    [(_, after)] = edits(use, source, old, parse("""get_by_text("Tom's task")"""))
    assert after == '"Tom\'s task"'
