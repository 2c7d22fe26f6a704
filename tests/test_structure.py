"""The tree comparison behind the guardrails: small before/after pairs for each rule, under the
`locator` and `test` fix classes; what a real heal changes passes both."""

from __future__ import annotations

import ast

import pytest

from agent_engine.fix.structure import compare, locator_chain

BEFORE = """import re

import pytest
from playwright.sync_api import Page, expect

from .pages import rows

TIMEOUT_MS = 5000


@pytest.mark.smoke
def test_create(page: Page) -> None:
    page.goto("/projects")
    page.locator("#new-project-btn").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()


def test_rows(page: Page, project_id: int) -> None:
    listed = rows(page)
    expected = 3
    expect(listed).to_have_count(expected)
    expect(page.locator(f"#project-{project_id} .title")).to_have_text("Apollo")
    for row in listed.all():
        assert row.is_visible()


def test_title(page: Page) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    with pytest.raises(AssertionError):
        assert page.title() == "Nope"
    assert page.title() == "Projects"
"""


def after(old: str, new: str) -> bytes:
    assert old in BEFORE, old
    return BEFORE.replace(old, new, 1).encode()


ALLOWED = [
    (
        "locator method changed",
        after('locator("#new-project-btn")', 'get_by_role("link", name="New project")'),
    ),
    (
        "f-string literal part changed",
        after('f"#project-{project_id} .title"', 'f"#item-{project_id} .name"'),
    ),
    (
        "chain grown",
        after('page.locator("#new-project-btn")', 'page.locator("main").get_by_text("New")'),
    ),
    ("nth added", after('locator("#new-project-btn")', 'get_by_role("link").nth(1)')),
    (
        "regex name kept",
        after('name="New project"', 'name=re.compile("New project", re.IGNORECASE)'),
    ),
    (
        "formatting only",
        after('    page.goto("/projects")', "    page.goto(\n        '/projects'\n    )"),
    ),
    ("comment only", after("    listed = rows(page)", "    listed = rows(page)  # the list")),
]


@pytest.mark.parametrize(("name", "new"), ALLOWED, ids=[n for n, _ in ALLOWED])
@pytest.mark.parametrize("fix_class", ["locator", "test"])
def test_a_locator_change_passes(name: str, new: bytes, fix_class: str) -> None:
    assert compare(BEFORE.encode(), new, fix_class) == [], name


TEST_ONLY = [
    (
        "an assertion added",
        after(
            '    assert page.title() == "Projects"\n',
            '    assert page.title() == "Projects"\n    expect(page).to_have_url("/p")\n',
        ),
    ),
    ("a step changed", after('page.goto("/projects")', 'page.goto("/projects?all=1")')),
    (
        "a step added",
        after(
            '    page.goto("/projects")\n',
            '    page.goto("/projects")\n    page.wait_for_load_state()\n',
        ),
    ),
]


@pytest.mark.parametrize(("name", "new"), TEST_ONLY, ids=[n for n, _ in TEST_ONLY])
def test_a_test_fix_may_add_assertions_and_change_steps(name: str, new: bytes) -> None:
    assert compare(BEFORE.encode(), new, "test") == [], name
    assert [f.rule for f in compare(BEFORE.encode(), new, "locator")] == ["structure_changed"]


REFUSED = [
    # the expectation inverted or emptied
    ("negated matcher", after(").to_be_visible()", ").not_to_be_visible()"), "changed_assertion"),
    ("count emptied", after("to_have_count(expected)", "to_have_count(0)"), "changed_assertion"),
    (
        "input of the assertion",
        after("expected = 3", "expected = listed.count()"),
        "changed_assertion",
    ),
    (
        "x == x",
        after('page.title() == "Projects"', "page.title() == page.title()"),
        "changed_assertion",
    ),
    (
        "assert True or",
        after('assert page.title() == "Projects"', 'assert True or page.title() == "Projects"'),
        "changed_assertion",
    ),
    (
        "regex that matches anything",
        after('to_have_text("Apollo")', 'to_have_text(re.compile(".*"))'),
        "changed_assertion",
    ),
    (
        "looser matcher",
        after('to_have_text("Apollo")', 'to_contain_text("Apollo")'),
        "changed_assertion",
    ),
    (
        "attached false",
        after(").to_be_visible()", ").to_be_attached(attached=False)"),
        "changed_assertion",
    ),
    (
        "pytest.raises changed",
        after("pytest.raises(AssertionError)", "pytest.raises(Exception)"),
        "control_flow_changed",
    ),
    (
        "whole page",
        after('get_by_role("heading", name="New project")', 'locator("body")'),
        "trivial_locator",
    ),
    (
        "html",
        after('get_by_role("heading", name="New project")', 'locator("html")'),
        "trivial_locator",
    ),
    (
        "xpath root",
        after('get_by_role("heading", name="New project")', 'locator("xpath=//body")'),
        "trivial_locator",
    ),
    (
        "empty text",
        after('get_by_role("heading", name="New project")', 'get_by_text("")'),
        "trivial_locator",
    ),
    ("regex name", after('name="New project"', 'name=re.compile(".*")'), "trivial_locator"),
    # the body neutralised
    (
        "return first",
        after('    page.goto("/projects")\n', '    return\n    page.goto("/projects")\n'),
        "control_flow_changed",
    ),
    (
        "if False",
        after("    expect(listed)", "    if False:\n        expect(listed)"),
        "control_flow_changed",
    ),
    (
        "try except pass",
        after(
            '    assert page.title() == "Projects"',
            '    try:\n        assert page.title() == "Projects"\n    except Exception:\n        pass',
        ),
        "control_flow_changed",
    ),
    (
        "with suppress",
        after(
            '    assert page.title() == "Projects"',
            '    with __import__("contextlib").suppress(Exception):\n        assert page.title() == "Projects"',
        ),
        "control_flow_changed",
    ),
    (
        "assert commented out",
        after(
            '    assert page.title() == "Projects"',
            '    # assert page.title() == "Projects"\n    pass',
        ),
        "removed_assertion",
    ),
    ("assert removed", after('    assert page.title() == "Projects"\n', ""), "removed_assertion"),
    ("loop emptied", after("listed.all()", "listed.all()[:0]"), "changed_assertion"),
    (
        "raise first",
        after(
            '    page.goto("/projects")\n', '    raise AssertionError\n    page.goto("/projects")\n'
        ),
        "control_flow_changed",
    ),
    (
        "yield",
        after('    page.goto("/projects")\n', '    yield\n    page.goto("/projects")\n'),
        "control_flow_changed",
    ),
    # skips and exits in any spelling
    ("skip marker", after("@pytest.mark.smoke", "@pytest.mark.skip"), "added_skip"),
    (
        "skipif via from-import",
        after("import pytest\n", "import pytest\nfrom pytest import mark\n").replace(
            b"def test_rows", b"@mark.skipif(True, reason='x')\ndef test_rows"
        ),
        "added_skip",
    ),
    (
        "xfail via alias",
        after("import pytest\n", "import pytest as p\n").replace(
            b"def test_title", b"@p.mark.xfail\ndef test_title"
        ),
        "added_skip",
    ),
    (
        "importorskip",
        after(
            '    page.goto("/projects")',
            '    pytest.importorskip("nothing_here")\n    page.goto("/projects")',
        ),
        "added_skip",
    ),
    (
        "SkipTest",
        after('    page.goto("/projects")', '    raise __import__("unittest").SkipTest("x")'),
        "control_flow_changed",
    ),
    (
        "getattr skip",
        after(
            '    page.goto("/projects")',
            '    getattr(pytest, "sk" + "ip")("x")\n    page.goto("/projects")',
        ),
        "dynamic_code",
    ),
    (
        "pytest.exit",
        after('    page.goto("/projects")', '    pytest.exit("done", returncode=0)'),
        "added_exit",
    ),
    (
        "os._exit",
        after("import re\n", "import os\nimport re\n").replace(
            b'    page.goto("/projects")', b"    os._exit(0)"
        ),
        "added_exit",
    ),
    (
        "pytestmark",
        after("TIMEOUT_MS = 5000", "TIMEOUT_MS = 5000\npytestmark = pytest.mark.skip"),
        "added_skip",
    ),
    (
        "applymarker",
        after(
            "def test_title(page: Page) -> None:\n",
            "def test_title(page: Page) -> None:\n    page.context.applymarker(pytest.mark.xfail)\n",
        ),
        "added_skip",
    ),
    ("flaky reruns", after("@pytest.mark.smoke", "@pytest.mark.flaky(reruns=5)"), "added_skip"),
    # the run rewired from inside a test file
    (
        "expect replaced",
        after("TIMEOUT_MS = 5000", "TIMEOUT_MS = 5000\nexpect = lambda *a, **k: None"),
        "rebound_name",
    ),
    (
        "expect patched",
        after(
            '    page.goto("/projects")', '    page.goto("/projects")\n    expect.__call__ = print'
        ),
        "rebound_name",
    ),
    (
        "hook in a test file",
        after(
            "TIMEOUT_MS = 5000",
            "TIMEOUT_MS = 5000\n\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item):\n    yield",
        ),
        "added_function",
    ),
    (
        "monkeypatch",
        after("def test_create(page: Page)", "def test_create(page: Page, monkeypatch)"),
        "signature_changed",
    ),
    (
        "page scripted",
        after(
            '    page.goto("/projects")',
            '    page.goto("/projects")\n    page.evaluate("document.body.innerHTML = \'<h1>New project</h1>\'")',
        ),
        "tampering",
    ),
    (
        "page replaced",
        after('    page.goto("/projects")', '    page.set_content("<h1>New project</h1>")'),
        "tampering",
    ),
    (
        "data URL",
        after('page.goto("/projects")', 'page.goto("data:text/html,<h1>New project</h1>")'),
        "tampering",
    ),
    (
        "route mocked",
        after(
            '    page.goto("/projects")',
            '    page.route("**/*", print)\n    page.goto("/projects")',
        ),
        "tampering",
    ),
    (
        "file written",
        after(
            '    page.goto("/projects")',
            '    open("/tmp/x", "w").write("ok")\n    page.goto("/projects")',
        ),
        "dynamic_code",
    ),
    ("test renamed away", after("def test_rows(", "def _test_rows("), "removed_function"),
    # timeouts and retries, whatever the spelling
    ("constant raised", after("TIMEOUT_MS = 5000", "TIMEOUT_MS = 5000 * 20"), "raised_timeout"),
    (
        "upper-case constant added",
        after("TIMEOUT_MS = 5000", "TIMEOUT_MS = 5000\nTIMEOUT = 60000"),
        "raised_timeout",
    ),
    ("timeout argument added", after(".click()", ".click(timeout=90_000)"), "raised_timeout"),
    (
        "default raised",
        after("set_default_timeout(TIMEOUT_MS)", "set_default_timeout(TIMEOUT_MS * 4)"),
        "raised_timeout",
    ),
    (
        "sleep added",
        after(
            '    page.goto("/projects")\n',
            '    page.goto("/projects")\n    page.wait_for_timeout(3000)\n',
        ),
        "raised_timeout",
    ),
    ("retries", after("TIMEOUT_MS = 5000", "TIMEOUT_MS = 5000\nRETRIES = 3"), "raised_timeout"),
    ("unparsable", after("def test_rows(", "def test_rows(("), "syntax_error"),
]


@pytest.mark.parametrize(("name", "new", "rule"), REFUSED, ids=[c[0] for c in REFUSED])
@pytest.mark.parametrize("fix_class", ["locator", "test"])
def test_a_weaker_test_is_refused_in_any_fix_class(
    name: str, new: bytes, rule: str, fix_class: str
) -> None:
    found = compare(BEFORE.encode(), new, fix_class)
    assert found, f"{name} passed as a {fix_class} fix"
    rules = {f.rule for f in found}
    if fix_class == "test" or rule in ("trivial_locator", "syntax_error"):
        assert rule in rules, (name, found)
    else:
        assert "structure_changed" in rules or rule in rules, (name, found)
    assert all(f.line >= 0 and f.observed for f in found)


def test_the_locator_class_names_the_first_differing_node_and_its_line() -> None:
    found = compare(BEFORE.encode(), after(").to_be_visible()", ").not_to_be_visible()"), "locator")
    first = next(f for f in found if f.rule == "structure_changed")
    assert first.line == 15
    assert "'to_be_visible' became 'not_to_be_visible'" in first.observed


def test_a_locator_call_may_only_become_another_locator_call() -> None:
    found = compare(BEFORE.encode(), after('page.locator("#new-project-btn")', "page"), "locator")
    assert "a locator call may only become another locator call" in found[0].observed
    computed = after('locator("#new-project-btn")', 'locator(str(open("/etc/hostname").read()))')
    assert (
        "a locator argument must be a literal"
        in compare(BEFORE.encode(), computed, "locator")[0].observed
    )


def test_a_file_that_did_not_parse_cannot_be_judged() -> None:
    found = compare(b"def broken(:\n", b"x = 1\n", "locator")
    assert [f.rule for f in found] == ["structure_unverifiable"]


def test_a_django_queryset_filter_is_not_a_locator() -> None:
    before = b"def test_x(db):\n    assert Project.objects.filter(name='a').exists()\n"
    new = before.replace(b"name='a'", b"name='b'")
    assert locator_chain(compile_expr("Project.objects.filter(name='a')")) is None
    assert [f.rule for f in compare(before, new, "locator")] == [
        "structure_changed",
        "changed_assertion",
    ]


def compile_expr(text: str) -> object:
    return ast.parse(text, mode="eval").body


@pytest.mark.parametrize(
    ("old", "new", "raised"),
    [
        ("TIMEOUT = 5000\n", "TIMEOUT = -(-5000) * 2\n", True),
        ("TIMEOUT = 5000\n", "TIMEOUT = 2 ** 10\n", False),
        ("TIMEOUT = 5000\n", "TIMEOUT = 5000 / 0\n", True),  # unknown counts as infinite
        ("TIMEOUT = 5000\n", "TIMEOUT = None\n", False),
        ("TIMEOUT = 5000\n", "TIMEOUT = float('inf')\n", True),
        ("TIMEOUT = 5000\n", "TIMEOUT = 10 ** 400\n", True),
        ("TIMEOUT = 5000\nX = 1\n", "TIMEOUT = 5000\nX = {'timeout': 9000}\n", True),
        ("TIMEOUT = 5000\n", "TIMEOUT = +4000\n", False),
    ],
)
def test_timeouts_are_evaluated_whatever_the_arithmetic(old: str, new: str, raised: bool) -> None:
    found = {f.rule for f in compare(old.encode(), new.encode(), "test")}
    assert ("raised_timeout" in found) is raised, found


def test_every_kind_of_block_is_part_of_the_flow() -> None:
    before = b"""def test_x(page, kind):
    match kind:
        case "a" if page:
            assert page.title() == "A"
    for row in page.rows:
        assert row
    while False:
        break
"""
    guard_changed = before.replace(b'case "a" if page:', b'case "a" if not page:')
    assert "control_flow_changed" in {f.rule for f in compare(before, guard_changed, "test")}
    assert compare(before, before, "test") == []


def test_locator_arguments_may_be_names_items_and_nested_locators() -> None:
    before = b'def test_x(page, rows):\n    page.locator("#a").click()\n'
    for arg in ('rows["first"]', "rows.name", 'page.locator("#b", has=page.get_by_text("x"))'):
        after = before.replace(b'locator("#a")', f"locator({arg})".encode())
        assert compare(before, after, "locator") == [], arg
    computed = before.replace(b'locator("#a")', b"locator(rows[1:2])")
    assert [f.rule for f in compare(before, computed, "locator")] == ["structure_changed"]


def test_a_broken_regex_in_a_locator_counts_as_matching_anything() -> None:
    before = b'def test_x(page):\n    page.get_by_role("button", name="Save").click()\n'
    after = before.replace(b'name="Save"', b'name=re.compile("(")')
    assert "trivial_locator" in {f.rule for f in compare(before, after, "locator")}


def test_unparsable_failing_locators_relate_to_nothing() -> None:
    before = b'def test_x(page):\n    page.locator("#a").click()\n'
    after = before.replace(b"#a", b"#b")
    found = compare(before, after, "locator", ["locator(", 'page.locator("#a").first'])
    assert found == []
    found = compare(before, after, "locator", ["locator("])
    assert [f.rule for f in found] == ["unrelated_locator"]
