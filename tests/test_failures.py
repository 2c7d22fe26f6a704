"""Failed tests from console output and JUnit XML, across the runners users have."""

from __future__ import annotations

import io

import pytest

from agent_engine.contracts import FailedTest, TestOutcome
from agent_engine.errors import InputError
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.junit import parse_junit
from tests.builders import PYTEST_JUNIT, text_log


def failed(classifier: Classifier, *lines: str) -> list[FailedTest]:
    return classifier.classify([text_log("out.log", *lines)]).failed_tests


def test_pytest_summary_lines_are_merged_with_their_sections(classifier: Classifier) -> None:
    tests = failed(
        classifier,
        "___________________ TestCart.test_total[chromium] ___________________",
        "",
        '>       page.locator("#total").click()',
        "shop/tests/test_cart.py:12: ",
        "../.venv/lib/python3.11/site-packages/playwright/sync_api/_generated.py:11045: in click",
        "E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 2000ms exceeded.",
        'E     - waiting for locator("#total")',
        "FAILED shop/tests/test_cart.py::TestCart::test_total[chromium] - playwright._impl._e...",
    )
    assert tests == [
        FailedTest(
            id="shop/tests/test_cart.py::TestCart::test_total[chromium]",
            file="shop/tests/test_cart.py",
            line=12,
            message="playwright._impl._errors.TimeoutError: Locator.click: Timeout 2000ms exceeded.",
            locator='locator("#total")',
            action="click",
        )
    ]


def test_pytest_sections_that_are_not_tests_are_ignored(classifier: Classifier) -> None:
    tests = failed(
        classifier,
        "_______________ coverage: platform linux, python 3.11.7-final-0 ________________",
        "____________________ ERROR collecting tests/test_x.py ____________________",
        "E   ModuleNotFoundError: No module named 'shop'",
        "ERROR tests/test_x.py - ModuleNotFoundError: No module named 'shop'",
    )
    assert tests == []


def test_playwright_node_summary(classifier: Classifier) -> None:
    tests = failed(
        classifier,
        "  1) [chromium] › tests/login.spec.ts:12:5 › login › shows an error ─────────────────",
        "    Error: expect(locator).toBeVisible() failed",
    )
    assert [(t.id, t.file, t.line) for t in tests] == [
        ("tests/login.spec.ts › login › shows an error", "tests/login.spec.ts", 12)
    ]


def test_a_playwright_node_failure_and_its_junit_case_are_one_test(classifier: Classifier) -> None:
    # the list reporter wraps a long header: its title ends in a space, the rule on a new line
    log = text_log(
        "e2e.log",
        "  2) [chromium] › tests/items.spec.ts:50:3 › Items › Edit › Create with required fields ",
        "───────────────────────────────────────────────────────",
        "    Error: expect(locator).toBeVisible() failed",
    )
    report = """<testsuites><testsuite name="items.spec.ts"><testcase
    name="Items › Edit › Create with required fields" classname="items.spec.ts" time="8.8">
    <failure message="items.spec.ts:50:3 Create with required fields" type="FAILURE">
    Error: expect(locator).toBeVisible() failed</failure></testcase></testsuite></testsuites>""".encode()
    verdict = classifier.classify([log], [LogSource("junit.xml", lambda: io.BytesIO(report))])
    assert [(t.id, t.line) for t in verdict.failed_tests] == [
        ("tests/items.spec.ts › Items › Edit › Create with required fields", 50)
    ]
    assert verdict.failed_tests_total == 1


def test_jest_bullets_skip_suite_and_console_blocks(classifier: Classifier) -> None:
    tests = failed(
        classifier,
        "  ● Console",
        "  ● Cart › adds an item",
        "  ● Test suite failed to run",
        "    expect(received).toBe(expected) // Object.is equality",
    )
    assert [t.id for t in tests] == ["Cart › adds an item"]


def test_cypress_numbered_failures_but_not_rspec_ones(classifier: Classifier) -> None:
    tests = failed(
        classifier,
        "  1) Login",
        "       shows an error for a bad password:",
        "     AssertionError: Timed out retrying after 4000ms: Expected to find element: "
        "`[data-cy=error]`, but never found it.",
        "  2) Sign up allows a user to sign up",
        "     Failure/Error: click_on 'Sign up'",
        "rspec ./spec/features/signup_spec.rb:23 # Sign up allows a user to sign up",
    )
    assert [(t.id, t.line) for t in tests] == [
        ("Login shows an error for a bad password", None),
        ("./spec/features/signup_spec.rb:23", 23),
    ]


def test_failed_test_messages_are_redacted(classifier: Classifier) -> None:
    (test,) = failed(classifier, "FAILED t.py::test_db - password=hunter2hunter2 refused")
    assert "hunter2" not in test.message


def test_junit_results_with_classes_skips_and_errors() -> None:
    results = [c.result for c in parse_junit(io.BytesIO(PYTEST_JUNIT))]
    assert [(r.id, r.outcome, r.line) for r in results] == [
        ("tests/test_shop.py::TestCart::test_total", TestOutcome.FAILED, 42),
        ("tests.test_shop::test_ok", TestOutcome.PASSED, None),
        ("tests.test_shop::test_later", TestOutcome.SKIPPED, None),
        ("tests.test_shop::test_setup", TestOutcome.ERROR, None),
    ]
    assert [r.duration_s for r in results] == [0.5, 0.1, None, None]


def test_playwright_node_junit() -> None:
    xml = b"""<testsuites><testsuite name="login.spec.ts"><testcase name="login shows an error"
    classname="login.spec.ts" time="3.2"><failure message="login.spec.ts:12:5 login shows an error"
    type="FAILURE">Error: expect(locator).toBeVisible() failed</failure></testcase></testsuite></testsuites>"""
    (case,) = parse_junit(io.BytesIO(xml))
    assert case.result.id == "login.spec.ts::login shows an error"
    assert case.result.message == "login.spec.ts:12:5 login shows an error"
    assert "toBeVisible" in case.text


@pytest.mark.parametrize(
    "xml",
    [
        b"<testsuites><testcase",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<testsuites>&lol2;</testsuites>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_a_malformed_or_hostile_report_is_an_input_error(xml: bytes) -> None:
    with pytest.raises(InputError, match="not a valid JUnit XML report"):
        parse_junit(io.BytesIO(xml), "junit.xml")


def test_a_hostile_report_given_to_the_classifier_is_an_input_error(
    classifier: Classifier,
) -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuites>&a;</testsuites>'
    with pytest.raises(InputError):
        classifier.classify([], [LogSource("bomb.xml", lambda: io.BytesIO(bomb))])


def test_a_failure_in_a_page_object_keeps_its_own_file_and_line(classifier: Classifier) -> None:
    """The console names the test's module; the plugin's JUnit names the page object's line
    that failed: the location is that file with that line, never the module with it."""
    log = text_log(
        "out.log",
        "FAILED tests/e2e/test_ui.py::test_clear[chromium] - playwright._impl._errors.Timeout...",
    )
    junit = (
        '<testsuites><testsuite name="pytest"><testcase classname="tests.e2e.test_ui" '
        'name="test_clear[chromium]" time="1"><properties><property name="failure_location" '
        'value="tests/e2e/pages/index_page.py:59"/></properties><failure message="TimeoutError:'
        ' Locator.click: Timeout 3000ms exceeded.">E   TimeoutError</failure></testcase>'
        "</testsuite></testsuites>"
    )
    [test] = classifier.classify([log], [LogSource.from_text("junit.xml", junit)]).failed_tests
    assert (test.file, test.line) == ("tests/e2e/pages/index_page.py", 59)


def test_unittest_and_django_failures_are_named_by_their_dotted_path(
    classifier: Classifier,
) -> None:
    log = text_log(
        "ci.log",
        "Found 65 test(s).",
        "======================================================================",
        "ERROR: test_lists_are_saved (functional_tests.test_my_lists.MyListsTest.test_lists_are_saved)",
        "----------------------------------------------------------------------",
        "Traceback (most recent call last):",
        "selenium.common.exceptions.NoSuchElementException: Message: no such element",
        "======================================================================",
        "FAIL: test_home_page (lists.tests.HomePageTest)",  # before Python 3.11
        "----------------------------------------------------------------------",
        "AssertionError: 404 != 200",
        "--- FAIL: TestHandler (0.00s)",  # go test: not unittest's
        "Ran 65 tests in 61.316s",
        "FAILED (failures=1, errors=1)",
    )
    verdict = classifier.classify([log])
    assert [t.id for t in verdict.failed_tests] == [
        "functional_tests.test_my_lists.MyListsTest.test_lists_are_saved",
        "lists.tests.HomePageTest.test_home_page",
    ]
    assert verdict.failed_tests_total == 2
