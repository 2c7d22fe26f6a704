"""The verdict: root cause before symptom, evidence that points at real lines, stable signatures."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from agent_engine.errors import InputError
from agent_engine.taxonomy import BlockerType, ErrorType
from agent_engine.triage.classify import Classifier, LogSource, choose
from agent_engine.triage.failures import MAX_FAILED_TESTS
from agent_engine.triage.preprocess import clean_chunk, clean_line
from agent_engine.triage.rules import Rule, load_rules
from agent_engine.triage.signature import normalise, signature
from bench.corpus import CORPUS, HOLDOUT, WILD, Case, load_cases
from tests.builders import PYTEST_JUNIT, text_log
from tests.conftest import FIXTURES

LOCATOR_CASE = CORPUS / "locator_not_found" / "pytest-playwright-get-by-role-click-timeout"
DB_REFUSED = (
    'psycopg.OperationalError: connection failed: connection to server at "127.0.0.1", port 5432 '
    "failed: Connection refused"
)
LOCATOR_TIMEOUT = (
    "E           playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms exceeded."
)


def file_line(path: Path, number: int) -> str:
    raw = path.read_bytes().split(b"\n")[number - 1]
    return clean_line(clean_chunk(raw).decode("utf-8", "replace"))


def test_a_real_locator_timeout_names_locator_not_found_with_exact_lines(
    classifier: Classifier,
) -> None:
    log = LOCATOR_CASE / "pytest.log"
    verdict = classifier.classify([LogSource.from_path(log)])
    assert verdict.error_type is ErrorType.LOCATOR_NOT_FOUND
    assert verdict.blocker_type is BlockerType.CODE
    assert verdict.confidence >= 0.8
    top = verdict.evidence[0]
    assert (top.rule_id, top.line) == ("playwright.action-timeout", 45)
    assert top.text == file_line(log, 45)
    assert [c.line for c in top.context] == [42, 43, 44, 46, 47, 48]
    (test,) = verdict.failed_tests
    assert test.locator == 'get_by_role("button", name="Submit order")'
    assert (test.action, test.file, test.line) == ("click", "tests_ui/test_checkout.py", 7)


@pytest.mark.parametrize(
    "case", load_cases(CORPUS) + load_cases(HOLDOUT) + load_cases(WILD), ids=lambda c: c.name
)
def test_every_evidence_line_is_that_line_of_its_file(classifier: Classifier, case: Case) -> None:
    verdict = classifier.classify(case.logs(), case.junit())
    for item in verdict.evidence:
        if item.log.endswith(".log"):
            assert file_line(Path(item.log), item.line).startswith(item.text[:200].rstrip()) or (
                "[REDACTED:" in item.text
            ), (item.log, item.line)


def test_root_cause_before_symptom(classifier: Classifier) -> None:
    log = text_log(
        "ci.log",
        "Run alembic upgrade head",
        DB_REFUSED,
        "alembic.util.exc.CommandError: Can't locate revision identified by 'ae10'",
        "Error: Timed out waiting for: http://localhost:8000/api/health/",
        LOCATOR_TIMEOUT,
        LOCATOR_TIMEOUT,
    )
    verdict = classifier.classify([log])
    assert verdict.error_type is ErrorType.DATABASE_UNAVAILABLE
    assert verdict.evidence[0].line == 2
    assert {a.error_type for a in verdict.alternatives} >= {
        ErrorType.MIGRATION_FAILED,
        ErrorType.HEALTH_CHECK_FAILED,
        ErrorType.LOCATOR_NOT_FOUND,
    }


def test_alternatives_are_on_the_verdicts_scale(classifier: Classifier) -> None:
    """An alternative shows the confidence it would have had as the verdict: lowered by an
    earlier solid cause just as a verdict is, never above the winner for the same reason."""
    alone = classifier.classify([text_log("ci.log", LOCATOR_TIMEOUT, LOCATOR_TIMEOUT)])
    with_db = classifier.classify(
        [text_log("ci.log", DB_REFUSED, DB_REFUSED, LOCATOR_TIMEOUT, LOCATOR_TIMEOUT)]
    )
    assert with_db.error_type is ErrorType.DATABASE_UNAVAILABLE
    locator = next(a for a in with_db.alternatives if a.error_type is ErrorType.LOCATOR_NOT_FOUND)
    assert locator.confidence < alone.confidence
    assert [a.confidence for a in with_db.alternatives] == sorted(
        (a.confidence for a in with_db.alternatives), reverse=True
    )


def test_a_refusal_the_retry_loop_recovered_from_is_weak(classifier: Classifier) -> None:
    log = text_log(
        "ci.log",
        "localhost:5432 - no response",
        DB_REFUSED,
        "localhost:5432 - accepting connections",
        "collected 12 items",
        LOCATOR_TIMEOUT,
        'E             - waiting for get_by_role("button", name="Save")',
    )
    verdict = classifier.classify([log])
    assert verdict.error_type is ErrorType.LOCATOR_NOT_FOUND
    db = next(a for a in verdict.alternatives if a.error_type is ErrorType.DATABASE_UNAVAILABLE)
    assert db.confidence < 0.5


PROBE = (
    "curl: (7) Failed to connect to 127.0.0.1 port 8765 after 0 ms: Couldn't connect to server",
    "Waiting for http://127.0.0.1:8765/ ... (1/30)",
)
NO_SUCH_ELEMENT = (
    "ERROR: test_can_save (lists.tests.NewListTest.test_can_save)",
    "Traceback (most recent call last):",
    '  File "src/lists/tests.py", line 9, in test_can_save',
    "selenium.common.exceptions.NoSuchElementException: Message: no such element: Unable to "
    'locate element: {"method":"css selector","selector":"#id_list_table"}',
)


@pytest.mark.parametrize(
    "started",
    [
        "Found 65 test(s).",
        "Creating test database for alias 'default'...",
        "collected 12 items",
        "============================= test session starts ==============================",
        "Running 4 tests using 2 workers",
        "[INFO]  T E S T S",
    ],
)
def test_a_refused_probe_before_the_tests_started_was_a_wait_loops_early_try(
    classifier: Classifier, started: str
) -> None:
    """A wait that fails stops the job before its tests: once they started, an earlier
    refused probe of the app was a try before it came up, not the cause."""
    verdict = classifier.classify([text_log("ci.log", *PROBE, started, *NO_SUCH_ELEMENT)])
    assert verdict.error_type is ErrorType.LOCATOR_NOT_FOUND
    assert verdict.confidence >= 0.9


def test_a_wait_that_gave_up_before_any_test_is_the_apps_health(classifier: Classifier) -> None:
    gave_up = "Error: timed out after 30s waiting for app health check at http://127.0.0.1:8765/"
    verdict = classifier.classify([text_log("ci.log", *PROBE, gave_up)])
    assert verdict.error_type is ErrorType.HEALTH_CHECK_FAILED
    # refused after the tests started: no earlier try, read as before
    late = classifier.classify([text_log("ci.log", "Found 65 test(s).", *PROBE, *NO_SUCH_ELEMENT)])
    assert late.error_type is ErrorType.HEALTH_CHECK_FAILED


def test_a_much_stronger_later_cause_beats_a_weak_earlier_one(classifier: Classifier) -> None:
    log = text_log(
        "ci.log",
        "Traceback (most recent call last):",  # weak backend_exception hint
        LOCATOR_TIMEOUT,
        'E             - waiting for locator("#save")',
    )
    assert classifier.classify([log]).error_type is ErrorType.LOCATOR_NOT_FOUND


CYPRESS_VISIT_500 = (
    "CypressError: `cy.visit()` failed trying to load:",
    "",
    "http://localhost:3000/orders",
    "",
    "The response we received from your web server was:",
    "",
    "  > 500: Internal Server Error",
)


def test_a_stage_and_its_cause_in_one_message_are_decided_by_precedence(
    classifier: Classifier,
) -> None:
    # the visit rule matches more strongly than the 500's; the 500 is the cause the taxonomy
    # puts first, so it speaks with the message's strongest voice
    verdict = classifier.classify([text_log("ci.log", *CYPRESS_VISIT_500)])
    assert verdict.error_type is ErrorType.BACKEND_EXCEPTION
    assert verdict.confidence >= 0.9
    assert verdict.evidence[0].line == 7
    assert [a.error_type for a in verdict.alternatives] == [ErrorType.NAVIGATION_FAILED]


def test_a_cause_outside_the_message_is_not_lifted(classifier: Classifier) -> None:
    far = (*CYPRESS_VISIT_500[:-1], *[f"  retrying {n}" for n in range(10)], CYPRESS_VISIT_500[-1])
    apart = classifier.classify([text_log("ci.log", *far)])
    near = classifier.classify([text_log("ci.log", *CYPRESS_VISIT_500)])
    assert apart.confidence < near.confidence


def test_a_bare_traceback_names_no_cause_and_is_not_lifted(classifier: Classifier) -> None:
    log = text_log(
        "ci.log",
        "FAIL: test_bookmark (app.tests.test_ui.BookmarkTest)",
        "Traceback (most recent call last):",
        '  File "app/tests/test_ui.py", line 40, in test_bookmark',
        "    self.assertTrue(box.is_selected())",
        "AssertionError: False is not true",
    )
    assert classifier.classify([log]).error_type is ErrorType.ASSERTION_FAILED


def test_nothing_known_is_unknown_with_low_confidence(rules: list[Rule]) -> None:
    log = text_log("ci.log", "make: *** [lint] Error 1", "done")
    verdict = Classifier(rules, model=None).classify([log])
    assert verdict.error_type is ErrorType.UNKNOWN
    assert verdict.confidence < 0.5
    assert verdict.evidence == []
    assert "no known failure pattern" in verdict.summary
    # the learned model may guess from such words, never with the confidence of a known cause
    guessed = Classifier(rules).classify([log])
    assert guessed.error_type is ErrorType.UNKNOWN or guessed.decided_by == "model"
    assert guessed.confidence < 0.5


def test_an_empty_run_has_no_tests_and_no_lines(classifier: Classifier) -> None:
    verdict = classifier.classify([text_log("empty.log")])
    assert (verdict.lines_scanned, verdict.failed_tests_total) == (0, 0)


def test_signatures_ignore_what_varies_between_runs() -> None:
    one = "Locator.click: Timeout 5000ms exceeded at /home/runner/work/a/b.py:41 (run 7f3a9c1e)"
    two = "Locator.click: Timeout 30000ms exceeded at /tmp/x/y.py:7 (run 0b1c2d3e)"
    assert normalise(one) == normalise(two)
    assert signature(ErrorType.LOCATOR_NOT_FOUND, one) == signature(
        ErrorType.LOCATOR_NOT_FOUND, two
    )
    assert signature(ErrorType.LOCATOR_NOT_FOUND, one) != signature(ErrorType.TEST_TIMEOUT, one)
    assert signature(ErrorType.LOCATOR_NOT_FOUND, 'waiting for locator("#save")') != signature(
        ErrorType.LOCATOR_NOT_FOUND, 'waiting for locator("#cancel")'
    )


def test_the_same_failure_in_two_runs_has_one_signature(classifier: Classifier) -> None:
    first = classifier.classify([text_log("a.log", "2024-01-01T00:00:00.1Z " + DB_REFUSED)])
    second = classifier.classify([text_log("b.log", "noise", DB_REFUSED.replace("5432", "5433"))])
    assert first.signature == second.signature


def test_evidence_and_tests_stay_bounded_on_a_flood(classifier: Classifier) -> None:
    lines = []
    for i in range(3000):
        lines += [f"FAILED e2e/test_{i}.py::test_case_{i} - AssertionError: boom", LOCATOR_TIMEOUT]
    verdict = classifier.classify([text_log("flood.log", *lines)])
    assert len(verdict.evidence) <= 12
    assert len(verdict.failed_tests) == MAX_FAILED_TESTS
    assert verdict.failed_tests_total == 3000
    assert verdict.lines_scanned == 6000


def test_an_unreadable_log_is_an_input_error(classifier: Classifier, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        classifier.classify([LogSource.from_path(tmp_path / "missing.log")])


def test_junit_failures_feed_tests_and_evidence(classifier: Classifier) -> None:
    junit = FIXTURES / "playwright" / "junit.xml"
    verdict = classifier.classify([], [LogSource.from_path(junit)])
    tests = {t.id: t for t in verdict.failed_tests}
    click = tests["failing/test_failing.py::test_click_missing_button[chromium]"]
    assert (click.locator, click.action, click.line) == ('locator("#does-not-exist")', "click", 6)
    expect = tests["failing/test_failing.py::test_expect_wrong_text[chromium]"]
    assert (expect.locator, expect.action) == ('locator("#title")', "to_have_text")
    assert {e.log for e in verdict.evidence} == {str(junit)}
    timeout = next(e for e in verdict.evidence if e.rule_id == "playwright.action-timeout")
    assert "Locator.click: Timeout 2000ms exceeded." in file_line(junit, timeout.line)


def test_weak_evidence_alone_gives_a_low_confidence_verdict(classifier: Classifier) -> None:
    verdict = classifier.classify([text_log("backend.log", "Traceback (most recent call last):")])
    assert verdict.error_type is ErrorType.BACKEND_EXCEPTION
    assert verdict.confidence < 0.5


def test_passing_junit_cases_are_not_failed_tests(classifier: Classifier) -> None:
    report = LogSource("junit.xml", lambda: io.BytesIO(PYTEST_JUNIT))
    verdict = classifier.classify([], [report])
    assert [t.id for t in verdict.failed_tests] == [
        "tests/test_shop.py::TestCart::test_total",
        "tests.test_shop::test_setup",
    ]


# A pytest report whose failure message quotes an expected/got pair (as a Playwright text
# assertion prints it), with a passing test's noisy output and the suite's own output.
STRUCTURED = b"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2" failures="1">
<testcase classname="e2e.test_board" name="test_title" file="e2e/test_board.py" line="8">
<failure message="AssertionError: Locator expected to have text 'Board'&#10;Actual value: &#10;  expected: 'Board' got: ''&#10;Call log:&#10;  - waiting for locator(&quot;#board-title&quot;)&#10;    - waiting for locator(&quot;#board-title&quot;)">e2e/test_board.py:9: in test_title
    expect(page.locator("#board-title")).to_have_text("Board")
E   AssertionError: Locator expected to have text 'Board'
E   Call log:
E     - waiting for locator("#board-title")</failure>
<system-out>GET /board 200</system-out>
</testcase>
<testcase classname="e2e.test_board" name="test_ok" file="e2e/test_board.py" line="12">
<system-out>Traceback (most recent call last):
RuntimeError: a passing test's chatter</system-out>
</testcase>
<system-err>psycopg.OperationalError: connection to server at "127.0.0.1", port 5432 failed: Connection refused</system-err>
</testsuite></testsuites>
"""


def test_a_junit_report_is_read_as_what_it_says_not_as_xml(classifier: Classifier) -> None:
    """Each message and text is read on its own with the report's line numbers; evidence
    quotes the message, never XML; a Ruby runner's rule does not fire in a pytest report;
    a passing test's output is not evidence, the suite's is."""
    verdict = classifier.classify([], [LogSource("junit.xml", lambda: io.BytesIO(STRUCTURED))])
    rules = {e.rule_id for e in verdict.evidence}
    assert "rspec.expectation" not in rules
    assert all("<failure" not in e.text and "message=" not in e.text for e in verdict.evidence)
    lines = STRUCTURED.decode().splitlines()
    for evidence in verdict.evidence:
        assert 1 <= evidence.line <= len(lines)
    assert not any("chatter" in e.text for e in verdict.evidence)
    assert any("Connection refused" in e.text for e in verdict.evidence)
    [failed] = verdict.failed_tests
    assert (failed.id, failed.locator) == (
        "e2e/test_board.py::test_title",
        'locator("#board-title")',
    )


def test_a_ruby_report_still_reads_ruby_rules(classifier: Classifier) -> None:
    report = b"""<testsuite name="rspec"><testcase classname="spec.cart_spec" name="adds"
    file="./spec/cart_spec.rb"><failure message="expected: 3 got: 2">Failure/Error: expect(cart.size).to eq(3)
  expected: 3
       got: 2</failure></testcase></testsuite>"""
    verdict = classifier.classify([], [LogSource("rspec.xml", lambda: io.BytesIO(report))])
    assert "rspec.expectation" in {e.rule_id for e in verdict.evidence}
    assert verdict.error_type is ErrorType.ASSERTION_FAILED


def test_a_report_corroborates_the_output_and_adds_no_rules_of_its_own(
    classifier: Classifier,
) -> None:
    """The report's message is the failure the output already shows: read twice, it is not
    twice the evidence (and a weaker cause elsewhere is not outvoted by the echo); alone, the
    report counts in full."""
    output = text_log(
        "test-output.log",
        "E   AssertionError: Locator expected to have text 'Board'",
        "FAILED e2e/test_board.py::test_title - AssertionError",
    )
    failures = re.sub(rb"<system-err>.*?</system-err>", b"", STRUCTURED, flags=re.S)
    report = LogSource("junit.xml", lambda: io.BytesIO(failures))
    alone = classifier.classify([output])
    both = classifier.classify([output], [report])
    assert both.error_type is alone.error_type is ErrorType.ASSERTION_FAILED
    assert both.confidence == alone.confidence
    assert any(e.log == "junit.xml" for e in both.evidence)  # still shown as evidence
    only_report = classifier.classify([], [LogSource("junit.xml", lambda: io.BytesIO(failures))])
    assert only_report.error_type is ErrorType.ASSERTION_FAILED
    assert only_report.confidence > both.confidence


def test_eval_on_selector_that_finds_nothing_is_a_missing_element(classifier: Classifier) -> None:
    log = text_log(
        "test-output.log",
        "E   playwright._impl._errors.Error: Page.eval_on_selector: Failed to find element "
        'matching selector ".errornote"',
    )
    assert classifier.classify([log]).error_type is ErrorType.LOCATOR_NOT_FOUND


def test_the_same_message_about_two_elements_is_two_signatures(classifier: Classifier) -> None:
    def run(locator: str) -> str:
        return classifier.classify(
            [
                text_log(
                    "e2e.log",
                    "___________________ test_save[chromium] ___________________",
                    "e2e/test_form.py:9: ",
                    "E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms "
                    "exceeded.",
                    f"E     - waiting for {locator}",
                    "FAILED e2e/test_form.py::test_save[chromium] - playwright._impl._errors.T...",
                )
            ]
        ).signature

    assert run('locator("#save")') != run('locator("#cancel")')
    assert run('locator("#row-7")') == run('locator("#row-8")')  # numbers vary between runs


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            (
                "remote: Internal Server Error.",
                "Error: fatal: unable to access 'https://github.com/acme/shop/': The requested "
                "URL returned error: 500",
            ),
            ErrorType.NETWORK_FLAKE,
        ),
        (("Error: Internal Server Error",), ErrorType.BACKEND_EXCEPTION),
        (("        \t            \tactual  : 500",), ErrorType.BACKEND_EXCEPTION),
        (("Retrieving the default branch name", "Bad credentials"), ErrorType.AUTH_FAILED),
        (
            (
                "Caused by: java.net.ConnectException: Connection refused",
                "Caused by: org.apache.http.conn.HttpHostConnectException: Connect to "
                "localhost:8082 [localhost/127.0.0.1] failed: Connection refused",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "_____ ERROR collecting tests/test_store.py _____",
                "E   pymongo.errors.ServerSelectionTimeoutError: localhost:27017: [Errno 111] "
                "Connection refused, Timeout: 30s",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "Creating test database for alias 'default'...",
                'sqlite3.OperationalError: table "shop_order" already exists',
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        (
            ("Migrating: 2024_03_01_101500_create_orders_table", "In Connection.php line 664:"),
            ErrorType.MIGRATION_FAILED,
        ),
        (
            ("java.lang.AssertionError: Status ", "Expected :200", "Actual   :401"),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                'expected to find visible css ".cart h3" with text "Total" but there were no '
                'matches. Also found "Subtotal"',
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (('expected to find text "Total: 12" in "Total: 11"',), ErrorType.ASSERTION_FAILED),
        (
            (
                "huggingface_hub.errors.GatedRepoError: 403 Client Error.",
                "Cannot access gated repo for url",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "Browser: 'chrome' was not found on your system.",
                "Available browsers found are: firefox",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            ("TimeoutError: waiting for selector `.cart-total` failed: timeout 30000ms exceeded",),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "FetchError: request to https://fonts.gstatic.com/s/inter/v1/a.woff2 failed, reason: ",
                "    at ClientRequest.<anonymous> (node_modules/next/dist/compiled/node-fetch/index.js:1:6)",
            ),
            ErrorType.NETWORK_FLAKE,
        ),
        # look-alikes of a cause are not that cause
        (
            (
                'psql:/docker-entrypoint-initdb.d/init.sql:12: NOTICE:  relation "users" already '
                "exists, skipping",
                "E   AssertionError: assert 'draft' == 'published'",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "o.s.s.a.AuthenticationManager: org.springframework.security.authentication."
                "BadCredentialsException: Bad credentials",
                "org.opentest4j.AssertionFailedError: expected: <42.0> but was: <40.0>",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
                "https://api.example.com/v1/orders",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            ("error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502",),
            ErrorType.NETWORK_FLAKE,
        ),
        (
            ("  2024_03_01_101500_create_orders_table ........................ 3ms FAIL",),
            ErrorType.MIGRATION_FAILED,
        ),
        (("Assert.Equal() Failure", "Expected: 200", "Actual:   500"), ErrorType.BACKEND_EXCEPTION),
        (
            (
                "Caused by: org.apache.hc.client5.http.HttpHostConnectException: Connect to "
                "http://localhost:8080 [localhost/127.0.0.1] failed: Connection refused",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "org.springframework.web.client.ResourceAccessException: I/O error on GET request "
                'for "http://localhost:8080/actuator/health": Connection refused',
            ),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                "_____ ERROR collecting tests/test_version.py _____",
                "E   pkg_resources.DistributionNotFound: The 'shop' distribution was not found "
                "and is required by the application",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        # more stacks say the same causes their own way
        # package managers that failed on the network: the install stage, by precedence
        (
            (
                "warning: spurious network error (1 tries remaining): failed to get 200 response "
                "from `https://crates.io/api/v1/crates/serde/1.0.1/download`, got 502",
                "error: failed to download from `https://crates.io/api/v1/crates/serde/1.0.1/"
                "download`",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "Gem::RemoteFetcher::FetchError: Errno::ECONNRESET: Connection reset by peer - "
                "SSL_connect (https://rubygems.org/gems/rake-13.0.6.gem)",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "CondaHTTPError: HTTP 000 CONNECTION FAILED for url "
                "<https://conda.anaconda.org/conda-forge/noarch/repodata.json>",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "[ERROR] Failed to execute goal on project shop: Could not collect dependencies "
                "for project com.acme:shop:jar:2.1",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                '  File "/opt/venv/lib/python3.9/site-packages/pip/_internal/network/download.py",'
                " line 131, in _get_http_response_filename",
                "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool("
                "host='files.pythonhosted.org', port=443): Read timed out.",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "[pipenv.exceptions.ResolutionFailure]: Warning: Your dependencies could not be "
                "resolved. You likely have a mismatch in your sub-dependencies.",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                'go: downloading github.com/acme/kit v1.4.0: Get "https://proxy.golang.org/'
                'github.com/acme/kit/@v/v1.4.0.zip": dial tcp 142.250.1.1:443: i/o timeout',
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # the database, as PHP and Go clients report it
        (
            (
                "  SQLSTATE[HY000] [2002] Connection refused (SQL: select * from information_schema"
                ".tables where table_schema = shop and table_name = migrations)",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "--- FAIL: TestOrders (0.00s)",
                "    db_test.go:41: dial tcp 127.0.0.1:5432: connect: connection refused",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (" * Starting PostgreSQL 14 database server", "The PostgreSQL server failed to start."),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "../venv/lib/python3.11/site-packages/django/db/backends/base/creation.py:78: in "
                "create_test_db",
                "E   django.db.utils.OperationalError: (1054, \"Unknown column 'shop_order.note'\")",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        # elements that are not there, in mobile and Robot Framework UI tests
        (
            (
                "androidx.test.espresso.NoMatchingViewException: No views in hierarchy found "
                "matching: with id is <com.acme.shop:id/checkout>",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "    testCheckout(): Failed to get matching snapshot: No matches found for Elements "
                "matching predicate '\"pay_button\" IN identifiers'",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            ("Element locator 'css=#pay' did not match any elements after 10 seconds",),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "    Test timeout of 30000ms exceeded.",
                "    Error: page.waitForSelector: Test timeout of 30000ms exceeded.",
                "      - waiting for locator('#cart') to be visible",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # the browser
        (
            (
                "SessionNotCreatedError: session not created: Chrome version must be between 71 "
                "and 75",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "Error: Failed to launch chrome! spawn /app/node_modules/puppeteer/.local-chromium"
                "/linux-818858/chrome-linux/chrome ENOENT",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        # the app never came up; the app refused; the login page answered
        (
            (
                "Cypress could not verify that this server is running:",
                "  > http://localhost:8080",
                "Cypress failed to verify that your server is running.",
            ),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (("Server has taken more than 60000ms to start.",), ErrorType.HEALTH_CHECK_FAILED),
        (
            (
                "[ERROR] Failed to execute goal org.springframework.boot:spring-boot-maven-plugin:"
                "3.1.0:start (pre-integration-test) on project web: Spring application did not "
                "start before the configured timeout (30000ms -> [Help 1]",
            ),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                "GuzzleHttp\\Exception\\ConnectException: cURL error 7: Failed to connect to "
                "127.0.0.1 port 8000: Connection refused",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "Error: Timed out 5000ms waiting for expect(page).toHaveURL(expected)",
                "Expected pattern: /.*dashboard/",
                'Received string:  "http://localhost:3000/users/sign_in?return_to=%2Fdashboard"',
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "E   botocore.exceptions.ClientError: An error occurred (InvalidAccessKeyId) when "
                "calling the PutObject operation: The AWS Access Key Id you provided does not "
                "exist in our records.",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "Error: You did not provide an API key. You need to provide your API key in the Authorization header",
            ),
            ErrorType.AUTH_FAILED,
        ),
        # the machine and the runner
        (
            (
                "Your build has exceeded the memory limit of 4G on 1 container. The results of "
                "this build are likely invalid.",
            ),
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            (
                "error: test failed, to rerun pass `--lib`",
                "  process didn't exit successfully: `/build/target/debug/deps/shop-9f1c` "
                "(signal: 9, SIGKILL: kill)",
            ),
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            ("Build timed out (after 90 minutes). Marking the build as aborted.",),
            ErrorType.RUNNER_CANCELLED,
        ),
        (
            ("=== RUN   TestWatch", "SIGQUIT: quit", "PC=0x46c0e1 m=0 sigcode=0"),
            ErrorType.TEST_TIMEOUT,
        ),
        # a data file the tests read is not there
        (
            (
                "ERROR: test_load_examples (test_handler.HandlerTest)",
                "FileNotFoundError: [Errno 2] No such file or directory: "
                "'/build/shop-1.2/tests/data/orders.csv'",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            ("c++: fatal error: Killed signal terminated program cc1plus",),
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            ("E   botocore.exceptions.NoCredentialsError: Unable to locate credentials",),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "E   FileNotFoundError: [Errno 2] No such file or directory: "
                "'tests/data/orders.csv'",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "    Test timeout of 30000ms exceeded.",
                "    Error: page.goto: Test timeout of 30000ms exceeded.",
                '      - navigating to "http://localhost:3000/orders", waiting until "load"',
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            ("Error: page.goto: net::ERR_CONNECTION_REFUSED at http://localhost:3000/orders",),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "aiohttp.client_exceptions.ClientConnectorError: Cannot connect to host "
                "api.example.org:443 ssl:default [Temporary failure in name resolution]",
            ),
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "Microsoft.Data.SqlClient.SqlException : A network-related or instance-specific "
                "error occurred while establishing a connection to SQL Server. (provider: TCP "
                "Provider, error: 0 - A connection attempt failed because the connected party did "
                "not properly respond after a period of time)",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            ("  Npgsql.NpgsqlException : Failed to connect to 127.0.0.1:5432",),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
                "available, request timed out after 30000ms.",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "  /src/Shop/Shop.csproj : error NU1100: Unable to resolve 'Serilog (>= 3.1.0)' for 'net8.0'.",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "In CurlDownloader.php line 390:",
                "  curl error 28 while downloading https://repo.packagist.org/packages.json: "
                "Operation timed out after 10000 milliseconds",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "AssertionError: Timed out retrying after 4000ms: expected "
                "'http://localhost:3000/login?redirect=%2Fdashboard' to include '/dashboard'",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            ("     Ferrum::TimeoutError:", "       Timed out waiting for response."),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "E   FileNotFoundError: [Errno 2] No such file or directory: "
                "'tests/storageState.json'",
            ),
            ErrorType.AUTH_FAILED,
        ),
        # a metadata warning of a build that went on to run its tests
        (
            (
                "[WARNING] Could not transfer metadata com.acme:lib:1.0-SNAPSHOT/maven-metadata.xml"
                " from/to maven-default-http-blocker (http://0.0.0.0/): Blocked mirror for "
                "repositories: [snapshots (http://repo.acme.test/snapshots, default, releases)]",
                "[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0 <<< FAILURE!",
                "org.opentest4j.AssertionFailedError: expected: <4> but was: <5>",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # a wait loop that reached the database
        (
            (
                "2024/01/01 12:00:00 Waiting for: tcp://localhost:5432",
                "2024/01/01 12:00:00 Problem with dial: dial tcp 127.0.0.1:5432: connect: "
                "connection refused. Sleeping 1s",
                "2024/01/01 12:00:02 Connected to tcp://localhost:5432",
                "E   assert 3 == 4",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # the test database could not be built: the environment, not a migration
        (
            (
                "../venv/lib/python3.11/site-packages/django/db/backends/base/creation.py:62: in "
                "create_test_db",
                "E   django.db.utils.ProgrammingError: permission denied to create database",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        # a test of the logout flow expects the login page
        (
            (
                "  1) [chromium] › tests/logout.spec.ts:12:7 › logout returns to the login page",
                '    Expected string: "http://localhost:3000/login"',
                '    Received string: "http://localhost:3000/login?loggedOut=1"',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # the saved login the tests load was never written
        (
            (
                "E   FileNotFoundError: [Errno 2] No such file or directory: "
                "'/home/runner/work/app/app/tests/e2e/.auth/user.json'",
            ),
            ErrorType.AUTH_FAILED,
        ),
        # a second start of a database that is already running
        (
            (
                'FATAL:  lock file "/var/run/postgresql/.s.PGSQL.5432.lock" already exists',
                "     Failure/Error: expect(user.full_name).to eq('Ada Lovelace')",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # a Jest test of the app's error path prints the app's words
        (
            (
                "  console.error",
                "    failed to connect to database: Error: mock failure",
                "    expect(received).toBe(expected) // Object.is equality",
                "    Expected: 3",
                "    Received: 2",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # the Gradle daemon's housekeeping after a failed test
        (
            (
                "    org.opentest4j.AssertionFailedError: expected: <4> but was: <3>",
                "> Task :app:test FAILED",
                "Expiring Daemon because JVM heap space is exhausted",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # a MySQL wait loop that reached the server
        (
            (
                "mysqladmin: connect to server at '127.0.0.1' failed",
                "error: 'Can't connect to MySQL server on '127.0.0.1:3306' (111)'",
                "mysqld is alive",
                "E   assert 3 == 4",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # an older Playwright closing a page still loading when the test's time ran out
        (
            (
                "    Test timeout of 30000ms exceeded.",
                "    Error: page.goto: Navigation failed because page was closed!",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        # the git host's 500 on a fetch is a third party's outage, not the app's
        (
            (
                "error: RPC failed; HTTP 500 curl 22 The requested URL returned error: 500 "
                "Internal Server Error",
                "fatal: expected flush after ref listing",
            ),
            ErrorType.NETWORK_FLAKE,
        ),
        # a test of the app's own 401 path that got a 400 is a mismatch, not a failed login
        (
            (
                "1 expectation failed.",
                "Expected status code <401> but was <400>.",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            ('  Error: expected 401 "Unauthorized", got 400 "Bad Request"',),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            ("Expected status code <200> but was <401>.",),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "Caused by: com.gargoylesoftware.htmlunit.FailingHttpStatusCodeException: 500 /blog.jsp",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # Travis prints its withheld-secrets banner on every pull request's build: it decides nothing
        (
            (
                "Encrypted environment variables have been removed for security reasons.",
                "    totals_test.go:40: expected 42, got 41",
                "--- FAIL: TestTotals (0.00s)",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "error: Could not resolve authentication method. Expected either apiKey or authToken to be set.",
            ),
            ErrorType.AUTH_FAILED,
        ),
        # an action's name in the id slot is a routing bug; a numeric id is a missing record
        (
            (
                "Couldn't find User with id=sign_out (ActiveRecord::RecordNotFound)",
                "./app/controllers/users_controller.rb:5:in `show'",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            ("ActiveRecord::RecordNotFound: Couldn't find User with 'id'=42",),
            ErrorType.SEED_DATA_MISSING,
        ),
        # Selenium's own server, not the app, refused the connection
        (
            (
                "[09:03:07] I/hosted - Using the selenium server at http://localhost:4444/wd/hub",
                "[09:03:07] E/launcher - Error message: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:4444",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            ("E   FileNotFoundError: [Errno 2] No such file or directory: 'chromedriver'",),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                '   Expected element <#results> to be visible  - expected "visible" but got: "not visible"',
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # Playwright for Java names no method in its timeout: the frames do
        (
            (
                "com.microsoft.playwright.TimeoutError: ",
                "  message='Timeout 30000ms exceeded.",
                '-   - waiting for locator("li[role=option]").first() to be visible',
                "\tat com.microsoft.playwright.impl.LocatorImpl.waitFor(LocatorImpl.java:667)",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # a connection error to the job's own machine is the app, not a remote service
        (
            (
                "urllib3.exceptions.MaxRetryError: HTTPConnectionPool(host='localhost', port=34113): Max retries exceeded with url: /ogc/collections (Caused by NewConnectionError('Connection refused'))",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                '    api_test.go:41: Get "http://localhost:8080/api/items": dial tcp 127.0.0.1:8080: connect: connection refused',
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            ("2020/02/14 22:10:19 ping err:dial tcp [::1]:32768: connect: connection refused",),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            ("SQLSTATE[HYT00]: [Microsoft][ODBC Driver 18 for SQL Server]Login timeout expired",),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "subprocess.CalledProcessError: Command 'python -m alembic.config upgrade head' returned non-zero exit status 1.",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        (
            (
                "Build execution time has reached the maximum allowed time for your plan (60 minutes).",
            ),
            ErrorType.RUNNER_CANCELLED,
        ),
        (
            ("The job exceeded the maximum log length, and has been terminated.",),
            ErrorType.RUNNER_CANCELLED,
        ),
        (
            (
                "[ RUN      ] StorageTest.Upload",
                "ERROR: Aborting VM command due to timeout of 7200 seconds",
            ),
            ErrorType.RUNNER_CANCELLED,
        ),
        (
            ("18 06 2018 22:49:29.639:ERROR [launcher.sauce]: Heartbeat to chrome latest failed",),
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "The Cypress App could not be downloaded.",
                "Error: connect ETIMEDOUT 104.25.215.23:443",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            ("** (Mix) Could not find an SCM for dependency :tzdata from Timex.Mixfile",),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # test builds that do not compile, in five languages
        (
            ("./store_test.go:52: undefined: ErrClosed",),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "error[E0432]: unresolved import `crate::store::Pool`",
                "  --> tests/pool.rs:1:5",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "  Tests.cs(30,26): error CS0246: The type or namespace name 'Fixture' could not be found",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "== Compilation error in file test/app_test.exs ==",
                "** (TokenMissingError) test/app_test.exs:58: missing terminator: end",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "PHP Fatal error:  require_once(): Failed opening required 'tests/bootstrap.php' (include_path='.')",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "/home/ci/app/spec/cli/upload_spec.rb:3:in `<top (required)>': uninitialized constant App::Upload (NameError)",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        # Jest's suite header is a stage: the message under it names the cause
        (
            (
                "  ● Test suite failed to run",
                "    Timeout - Async callback was not invoked within the 60000ms timeout specified "
                "by jest.setTimeout.",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "  ● Test suite failed to run",
                "    error TS2307: Cannot find module './store' or its corresponding type "
                "declarations.",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        # a login that came back to the login page with an error
        (
            (
                "E   AssertionError: assert equals failed",
                "E     '/login?error=1'     '/home?token=token'",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "AssertionError: 403 not found in range(200, 300) : demo Fetching / returned error response (403)",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            ("E       assert 'OK' in '500 INTERNAL SERVER ERROR'",),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            ("jakarta.ws.rs.InternalServerErrorException: HTTP 500 Internal Server Error",),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # the app's own SQL rejected is the app's bug, not a database outage
        (
            (
                "dml_read_exception: Error reading from database (You have an error in your SQL syntax; check the manual",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "Selenium server is not running, you need to start it to run tests that involve Javascript.",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "[ConnectionException] Can't connect to Webdriver at http://chrome:4444/wd/hub. Please make sure that Selenium Server or PhantomJS is running.",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "** (DBConnection.ConnectionError) connection not available and request was dropped from queue after 420ms.",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "Caused by: io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: localhost/127.0.0.1:6379",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "redis.clients.jedis.exceptions.JedisConnectionException: java.net.SocketException: Connection reset",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "PrismaClientKnownRequestError: Invalid prisma.user.deleteMany() invocation",
                "  code: 'ECONNREFUSED', meta: { modelName: 'User' }",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "  An exception occurred in driver: SQLSTATE[HY000] [1049] Unknown database 'app_test'",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        # the app could not listen on its port: it never came up
        (
            (
                '     "before all" hook in "Terminal":',
                "   Error: listen EADDRINUSE: address already in use 127.0.0.1:8000",
            ),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                "1: 0xb78db3 node::OOMErrorHandler(char const*, v8::OOMDetails const&)",
                "Error: Worker exited unexpectedly",
            ),
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            (
                "Caused by: javax.persistence.EntityNotFoundException: Unable to find com.acme.Book with id 25",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                'Server returned an error response: ErrorPayload code 429, message: "Your app has exceeded its compute units per second capacity."',
            ),
            ErrorType.NETWORK_FLAKE,
        ),
        # Playwright's global time budget and Behat's script wait are timeouts, not readiness checks
        (
            (
                "Timed out waiting 720s for the test suite to run",
                "  22 did not run",
                "  647 passed (12.0m)",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "    Javascript code and/or AJAX requests are not ready after 10 seconds. There is a Javascript error or the code is extremely slow",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "     Error: Timeout: get element '.statusbar-item .codicon-git-branch' after 20 seconds.",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            ("Tour web_tour_set failed at step a[data-menu-xmlid='base.menu_administration']",),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # an expectation of visibility whose element was never found
        (
            (
                "Error: expect(locator).toBeVisible() failed",
                "",
                "Locator: locator('.terminal').first()",
                "Expected: visible",
                "Timeout: 10000ms",
                "Error: element(s) not found",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # ...and one whose element was there, hidden
        (
            (
                "Error: expect(locator).toBeVisible() failed",
                'Locator: locator(".banner")',
                "Expected: visible",
                "Received: hidden",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # Composer's autoloader missing is a failed install, not test code
        (
            (
                "PHP Fatal error:  Uncaught Error: Failed opening required '/app/vendor/autoload.php'",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # RSpec's two-line form of an action routed as a record id
        (
            (
                "     ActiveRecord::RecordNotFound:",
                "       Couldn't find User with 'id'=sign_out",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "     ActiveRecord::RecordNotFound:",
                "       Couldn't find User with 'id'=42",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        # Travis' log-length limit ends a flood: the flood's cause decides
        (
            (
                "psql: could not connect to server: Connection refused",
                '\tIs the server running on host "localhost" (127.0.0.1) and accepting',
                "\tTCP/IP connections on port 5432?",
                "The job exceeded the maximum log length, and has been terminated.",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        # Selenium's port, a retry that gave up on 500s, HTTPS to localhost
        (
            (
                "urllib3.exceptions.MaxRetryError: HTTPConnectionPool(host='localhost', port=4444): Max retries exceeded with url: /wd/hub/session",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "urllib3.exceptions.MaxRetryError: HTTPConnectionPool(host='localhost', port=8000): Max retries exceeded with url: /api/items (Caused by ResponseError('too many 500 error responses'))",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='localhost', port=8443): Max retries exceeded with url: /health",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            ("ERROR webdriver: RequestError: connect ECONNREFUSED ::1:4444",),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                'Expected element <#login-form> to be visible - element was not found - expected "visible" but got: "not found" (5012ms)',
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # Go 1.20's compile errors in a test file
        (
            ('./store_test.go:5:2: "fmt" imported and not used',),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            ("Tests.fs(12,5): error FS0039: The value or constructor 'sut' is not defined.",),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "E   FileNotFoundError: [Errno 2] No such file or directory: '/usr/local/bin/chromedriver'",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "subprocess.CalledProcessError: Command '['alembic', 'upgrade', 'head']' returned non-zero exit status 1.",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        (
            ("Sqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : Login timeout expired.",),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        # curl against the app answered 500 is the app's; a registry's 500 is the registry's
        (
            ("curl: (22) The requested URL returned error: 500 Internal Server Error",),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            ("npm ERR! 500 Internal Server Error - GET https://registry.npmjs.org/left-pad",),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            ("java.lang.AssertionError: Status expected:<200> but was:<401>",),
            ErrorType.AUTH_FAILED,
        ),
        (
            ("java.lang.AssertionError: Status expected:<200> but was:<500>",),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # a Go server or controller under test that panicked on a request
        (
            (
                "2023/10/23 12:15:38 http: panic serving 172.18.0.3:3577: runtime error: invalid "
                "memory address or nil pointer dereference",
                "goroutine 965 [running]:",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                'E1107 13:59:36.966275       1 runtime.go:66] Observed a panic: "invalid memory '
                'address or nil pointer dereference"',
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # a package registry's 429 is an install that failed
        (
            (
                "npm ERR! code E429",
                "npm ERR! 429 Too Many Requests - GET https://registry.npmjs.org/lodash",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # Lettuce's reconnect noise after the tests' own failure
        (
            (
                "org.opentest4j.AssertionFailedError: expected: <119.00> but was: <100.00>",
                "i.l.core.protocol.ConnectionWatchdog : Cannot reconnect to [localhost/<unresolved>:6379]: Connection refused: localhost/127.0.0.1:6379",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "An error occurred while loading ./spec/models/user_spec.rb.",
                "ActiveRecord::NoDatabaseError:",
                "  Unknown database 'app_test'",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "  ● Test suite failed to run",
                "    SyntaxError: /app/src/cart.test.js: Unexpected token (12:4)",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            ("listen tcp :8080: bind: address already in use",),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                "Facebook\\WebDriver\\Exception\\WebDriverCurlException: Curl error thrown for http POST to /session",
                "Failed to connect to localhost port 9515 after 0 ms: Connection refused",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        # a test that expected the login's rejection and did not get it is a mismatch
        (
            ("E       AssertionError: assert '/home' == '/login?error=1'",),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "expected 'http://localhost:3000/login?error=CredentialsSignin' to include '/dashboard'",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "org.opentest4j.AssertionFailedError: expected: <200 OK> but was: <500 INTERNAL_SERVER_ERROR>",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # the API server aborting a request that ran out of time is not the app crashing
        (
            (
                'runtime.go:79] Observed a panic: &errors.errorString{s:"killing connection/stream because serving request timed out and response had been started"}',
                "    watch_test.go:88: timed out waiting for the condition",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            ("dml_read_exception: Error reading from database (MySQL server has gone away",),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "[tsl] ERROR in /app/src/cart.ts(12,5)",
                "      TS2339: Property 'total' does not exist on type 'Cart'.",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "redis.exceptions.ConnectionError: Error -3 connecting to redis:6379. Temporary failure in name resolution.",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "odoo.http: Exception during request handling.",
                "Traceback (most recent call last):",
                "KeyError: 'partner_id'",
                "AssertionError: Tour sale_tour failed at step .o_form_button_save",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "org.hibernate.ObjectNotFoundException: No row with the given identifier exists: [com.acme.domain.Book#25]",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        # Playwright pads a regex expectation's received line
        (
            (
                "    Expected pattern: /.*\\/dashboard/",
                '    Received string:  "http://localhost:3000/api/auth/signin?error=CredentialsSignin"',
            ),
            ErrorType.AUTH_FAILED,
        ),
        # the Mongo driver's background monitor is noise next to the tests' own failure
        (
            (
                "INFO 1 --- [localhost:27017] org.mongodb.driver.cluster : Exception in monitor thread while connecting to server localhost:27017",
                "com.mongodb.MongoSocketOpenException: Exception opening socket",
                'java.lang.AssertionError: JSON path "$.price" expected:<42> but was:<41>',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "docker: Error response from daemon: driver failed programming external connectivity on endpoint postgres (3f2a): Error starting userland proxy: listen tcp4 0.0.0.0:5432: bind: address already in use.",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            ("Error: That port is already in use.",),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                "org.opentest4j.AssertionFailedError: ",
                "expected: 200 OK",
                " but was: 500 INTERNAL_SERVER_ERROR",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "curl: (7) Failed to connect to selenium-hub port 4444 after 3 ms: Couldn't connect to server",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "urllib3.exceptions.MaxRetryError: HTTPConnectionPool(host='selenium', port=4444): Max retries exceeded with url: /wd/hub/session",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        # PHPUnit's (Codeception's) status assertion: the app's 500, the app's refusal
        (("Fail  Failed asserting that 500 matches expected 200.",), ErrorType.BACKEND_EXCEPTION),
        (("Fail  Failed asserting that 403 matches expected 200.",), ErrorType.AUTH_FAILED),
        # Rails' banner for pending migrations; makemigrations finding changes with no migration
        (
            ("You have 2 pending migrations:", "", "db/migrate/20250101000000_add_sku_to_items.rb"),
            ErrorType.MIGRATION_FAILED,
        ),
        (
            (
                "$ python manage.py makemigrations --check --dry-run",
                "Migrations for 'billing':",
                "  billing/migrations/0012_invoice_due.py",
                "    - Add field due to invoice",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        # ...and the runner's footer as GitHub's web view shows it says nothing of the cause
        (
            (
                "$ python manage.py makemigrations --check --dry-run",
                "Migrations for 'catalog':",
                "  shop/catalog/migrations/0007_product_slug.py",
                "    + Add field slug to product",
                "Error: Process completed with exit code 1.",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        # ...but migrations written on purpose before a failing test: the test's own cause
        (
            (
                "$ python manage.py makemigrations",
                "Migrations for 'shop':",
                "  shop/migrations/0003_order.py",
                "    - Create model Order",
                "Running migrations:",
                "  Applying shop.0003_order... OK",
                "tests/test_cart.py::test_total FAILED",
                "E   AssertionError: assert 3 == 4",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # a file under the tests' data folder is not there, in Julia, Java and Go
        (
            (
                'ERROR: LoadError: SystemError: opening file "../test/data/grid.json": No such file or directory',
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "Tests in error: ",
                "  testLoad(com.acme.OrderTest): Requested resource does not exists: src/test/resources/orders.xml",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "panic: open testdata/golden/users.json: no such file or directory",
                "FAIL\tgithub.com/acme/users\t0.012s",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        # Laravel's status assertion names the status; PHPUnit's bare one expects any non-5xx
        (
            (
                "Expected response status code [200] but received 403.",
                "Failed asserting that 403 is identical to 200.",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (("Failed asserting that 500 matches expected 422.",), ErrorType.BACKEND_EXCEPTION),
        # Rails' banner behind docker compose's service prefix
        (
            (
                "web-1  | You have 2 pending migrations:",
                "web-1  |   20240501120000 AddStatusToOrders",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        (
            (
                "java.nio.file.NoSuchFileException: src/test/resources/samples/order.json",
                "\tat com.acme.ParserTest.parsesSample(ParserTest.java:21)",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        # Julia: a failed @test inside the LoadError summary; a suite that would not load
        (
            (
                "parse: Test Failed at /home/runner/work/Foo.jl/Foo.jl/test/runtests.jl:10",
                '  Expression: parse("1+1") == 3',
                "   Evaluated: 2 == 3",
                "ERROR: LoadError: Some tests did not pass: 10 passed, 1 failed, 0 errored, 0 broken.",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (("ERROR: LoadError: OutOfMemoryError()",), ErrorType.RESOURCE_EXHAUSTED),
        (
            (
                "ERROR: LoadError: ArgumentError: Package Foo does not have Test in its dependencies:",
                "- You may have a partially installed environment. Try `Pkg.instantiate()`",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "ERROR: LoadError: UndefVarError: `@testset` not defined",
                "in expression starting at /home/runner/work/Foo.jl/Foo.jl/test/runtests.jl:3",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        # ...a shell's complaint or a fallback warning about a test file is not the cause
        (
            (
                "rm: cannot remove 'test/fixtures/tmp/*.db': No such file or directory",
                "    expect(received).toBe(expected) // Object.is equality",
                "    Expected: 108",
                "    Received: 100",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "WARNING  shop.config:config.py:41 tests/fixtures/overrides.yaml not found, using defaults",
                "E       assert 100 == 108",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # solvers and registries of conda, Composer, Haskell's package hosts and sbt
        (
            (
                "  - package shop-1.2-py_0 requires pricing 2.0, but none of the providers can be installed",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            ("Your requirements could not be resolved to an installable set of packages.",),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "HttpExceptionRequest Request {",
                '  host                 = "hackage.haskell.org"',
                "  port                 = 443",
                "}",
                " ConnectionTimeout",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "[error] SERVER ERROR: Service Unavailable url=https://repo1.maven.org/maven2/org/scala-lang/scala-library/2.13.1/scala-library-2.13.1.pom",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # MongoDB's C++ driver, Neo4j's and Mongoose's refusals
        (("Couldn't connect to 127.0.0.1:27017.",), ErrorType.DATABASE_UNAVAILABLE),
        (
            (
                "neo4j.exceptions.ServiceUnavailable: Failed to establish connection to ('127.0.0.1', 7687) (reason [Errno 111] Connection refused)",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            ("connection error: MongooseError [MongooseServerSelectionError]: ",),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "E   numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.2 GiB for an array with shape (20000, 20000) and data type float64",
            ),
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (("> Task :app:compileDebugUnitTestKotlin FAILED",), ErrorType.TEST_COLLECTION_ERROR),
        (
            (
                "PHP Fatal error:  Uncaught Error: Class 'Tests\\Support\\ApiTestCase' not found in /app/tests/Feature/UserTest.php:9",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (("I'm sorry but your test run exceeded 50.0 minutes.",), ErrorType.RUNNER_CANCELLED),
        (
            (
                "/root/.cache/Cypress/13.6.0/Cypress/Cypress: error while loading shared libraries: libgbm.so.1: cannot open shared object file: No such file or directory",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        # a Kubernetes wait inside an e2e test; kubectl wait on a deployment is its readiness
        (
            (
                "  Expected error:",
                "      timed out waiting for the condition",
                "  not to have occurred",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        # a deployment the tests need that never became ready: Helm, kubectl, kubeadm, minikube
        (
            ("Error: INSTALLATION FAILED: timed out waiting for the condition",),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                'Waiting for deployment "api" rollout to finish: 0 of 1 updated replicas are available...',
                "error: timed out waiting for the condition",
            ),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            ("Unfortunately, an error has occurred:", "\ttimed out waiting for the condition"),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            ("error: timed out waiting for the condition on deployments/web",),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        # Ivy's tab-indented warnings, sbt 0.13's exception and the launcher's own lines
        (
            (
                "[warn] \tmodule not found: com.acme#billing_2.12;2.0.1",
                "[error] (*:update) sbt.ResolveException: unresolved dependency: com.acme#billing_2.12;2.0.1: not found",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "[error] Server access error at url https://repo1.maven.org/maven2/com/acme/billing/2.0.1/billing-2.0.1.pom (java.net.UnknownHostException: repo1.maven.org)",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "HttpExceptionRequest Request {",
                '  host                 = "downloads.haskell.org"',
                "}",
                " ConnectionTimeout",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # Neo4j's port refused to the Go driver
        (
            (
                "ERROR  [router 1] Unable to retrieve routing table from localhost:7687: dial tcp 127.0.0.1:7687: connect: connection refused",
            ),
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "Class 'Tests\\Unit\\CartTest' could not be found in '/app/tests/Unit/CartTest.php'.",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            ("> Task :app:compileDebugUnitTestJavaWithJavac FAILED",),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (("> Task :shared:compileTestKotlinJvm FAILED",), ErrorType.TEST_COLLECTION_ERROR),
        # NestJS's handler logging a missing entity is the app's unhandled error
        (
            (
                'ERROR [ExceptionsHandler] Could not find any entity of type "User" matching: {"id": 999}',
                '  expected 404 "Not Found", got 500 "Internal Server Error"',
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # Julia's summary of its own failed tests, wrapped in a LoadError
        (
            (
                "Test Failed at /build/julia/stdlib/v1.13/Pkg/test/new.jl:232",
                "  Expression: installed == 1",
                "   Evaluated: 0 == 1",
                "ERROR: LoadError: Test run finished with errors",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            ("  left: 3", " right: 4", "assertion `left == right` failed"),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            ("%%% orders_SUITE ==> place_order: FAILED", "Reason: timetrap_timeout"),
            ErrorType.TEST_TIMEOUT,
        ),
        (("cart_tests: total_test...*timed out*",), ErrorType.TEST_TIMEOUT),
        # the WebDriver server behind Mink, a Java client or a Ruby client was not there
        (
            (
                "  Could not open connection: Curl error thrown for http POST to "
                "http://localhost:4444/wd/hub/session (Behat\\Mink\\Exception\\DriverException)",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "org.openqa.selenium.WebDriverException: connection refused",
                "Build info: version: '3.141.59', revision: 'e82be7d358'",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "     SocketError:",
                "       getaddrinfo: Name or service not known",
                "     # ./vendor/bundle/gems/selenium-webdriver-3.142.7/lib/selenium/webdriver/remote/"
                "bridge.rb:45:in `create_session'",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "  - Failed: Timed out waiting for asynchronous Angular tasks to finish after 11 "
                "seconds.",
                "  While waiting for element with locator - Locator: By(css selector, app-root h1)",
            ),
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "--- FAIL: TestAccWorkspace_basic (0.10s)",
                "    provider_test.go:97: err: required token could not be found",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "Tests run: 1, Failures: 0, Errors: 1, Skipped: 0, Time elapsed: 77.7 s <<< FAILURE!",
                "java.lang.IllegalStateException: The cluster failed to pass a startup check: "
                "The following containers are not healthy: api",
            ),
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (("Waiting for web_1 to become healthy (it's unhealthy)",), ErrorType.HEALTH_CHECK_FAILED),
        (
            ('  "message": "Current user is not logged in",', '  "Code": 401,'),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "1) Tests\\Feature\\OrderTest::test_index_lists_orders",
                "Response status code [500] is not a successful status code.",
                "Failed asserting that false is true.",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "  Failed to connect to api.example.org port 443 after 12 ms: Connection refused "
                "while requesting https://api.example.org/v1/ping",
            ),
            ErrorType.NETWORK_FLAKE,
        ),
        (
            ("StandardError: No fixture with name 'admin' found for table 'users'",),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "   > Could not resolve com.acme:lint-plugin:0.5.",
                "      > Could not GET 'https://repo.acme.dev/plugins/com/acme/lint-plugin/0.5/"
                "lint-plugin-0.5.pom'. Received status code 502 from server: Bad Gateway",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # what the run's real cause was, next to a look-alike of another
        (
            (
                "tests/test_client.py:41: in test_client_requires_api_key",
                "E           Failed: DID NOT RAISE <class 'acme.errors.ConfigError'>",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "thread 'rustc' panicked at compiler/rustc_middle/src/ty/generic_args.rs:593:9:",
                "assertion `left == right` failed",
                "note: the compiler unexpectedly panicked. this is a bug.",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "     Net::ReadTimeout:",
                "     # ./vendor/bundle/ruby/3.4.0/gems/selenium-webdriver-4.27.0/lib/selenium/"
                "webdriver/remote/bridge.rb:52:in 'Selenium::WebDriver::Remote::Bridge#create_session'",
            ),
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "    Failed to download acme/console from dist: curl error 7 while downloading "
                "https://api.github.com/repos/acme/console/zipball/1f35: Failed to connect to "
                "api.github.com port 443 after 3 ms: Connection refused",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "ERROR: LoadError: failed to clone from https://github.com/JuliaRegistries/General.git,"
                " error: GitError(Code:ERROR, Class:Net, failed to connect to github.com)",
            ),
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                'ERROR: LoadError: SystemError: opening file "/home/ci/Graphs/test/traversals.jl": '
                "No such file or directory",
            ),
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "[HPM] Error occurred while trying to proxy request /api/orders from localhost:4200 "
                "to http://localhost:8080 (ECONNREFUSED)",
                "  - Failed: Timed out waiting for asynchronous Angular tasks to finish after 11 "
                "seconds.",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "[WebServer]  POST /api/orders 500 in 35ms",
                "    Error: expect(locator).toBeVisible() failed",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # batch of readings: Go's want/got, a rejected login, Sauce Connect, Gradle's 137,
        # seeded roles, Prisma's missing record, an LFS pointer, Puppeteer's navigation
        (
            (
                "--- FAIL: TestCart_Total",
                "    cart_test.go:41: total: want 12, got 11",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "E       AssertionError: login failed for qa-user",
                "E       Please enter a correct username and password. Note that both",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            ('  "before all" hook:', "Error: Sauce Connect could not establish a connection."),
            ErrorType.NETWORK_FLAKE,
        ),
        (
            ("> Process 'Gradle Test Executor 3' finished with non-zero exit value 137",),
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            (
                " Spatie\\\\Permission\\\\Exceptions\\\\RoleDoesNotExist ",
                "  There is no role named `editor` for guard `web`.",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "VisualsTest#test_0001_index:",
                'ChunkyPNG::SignatureMismatch: PNG signature not found, found "version " instead of '
                '"\\\\x89PNG"!',
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "  ● dashboards › opens",
                "    TimeoutError: Navigation Timeout Exceeded: 30000ms exceeded",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            ("    math_test.go:14: Sum(2, 3) = 6; want 5",),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            ("    config_test.go:58: DecodeConfig() mismatch (-want +got):",),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            ("E   _pickle.UnpicklingError: invalid load key, 'v'.",),
            ErrorType.SEED_DATA_MISSING,
        ),
        # a test of the login form's own message: its expectation, not a rejected login
        (
            ('    Expected string: "Please enter a correct username and password."',),
            ErrorType.ASSERTION_FAILED,
        ),
        # the seed step's own failure, then the 404 of a row it did not load
        (
            (
                "Error seeding data: TypeError: Cannot read properties of undefined (reading "
                "'results')",
                "    Expected: 200",
                "    Received: 404",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        # an Apex test's query for a record the org should hold
        (
            (
                "Class.InvoiceServiceTest.setup: line 12, column 1",
                "System.QueryException: List has no rows for assignment to SObject",
            ),
            ErrorType.SEED_DATA_MISSING,
        ),
        # request-promise's error for a 500 answer
        (
            (
                'StatusCodeError: 500 - {"error":"boom"}',
                "    at new StatusCodeError (errors.js:32)",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # Firefox's own error page, read back from a page snapshot
        (
            (
                '- heading "Unable to connect" [level=1]',
                "- paragraph: Firefox can't establish a connection to the server at "
                "localhost:8080.",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        # a Jenkins pipeline's timeout step stopping a long test
        (
            (
                "Cancelling nested steps due to timeout",
                "Sending interrupt signal to process",
                "FAILED: expected exit code 0, got 143",
            ),
            ErrorType.RUNNER_CANCELLED,
        ),
        # Django's login form refusing the test account, in the app's own language, read from
        # the page snapshot of a title expectation that failed on the login page
        (
            (
                "E       AssertionError: Page title expected to be 'Startseite'",
                "E       Actual value: Anmelden",
                "E         - listitem: Bitte Benutzername und Passwort eingeben. Beide Felder "
                "berücksichtigen die Groß-/Kleinschreibung.",
            ),
            ErrorType.AUTH_FAILED,
        ),
        # a test of the login form's own message, in another language
        (
            (
                '    Expected string: "Introduzca un usuario y clave correctos. Observe que ambos '
                'campos pueden ser sensibles a mayúsculas."',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # Firefox's error page for an app on a compose service's host
        (
            (
                'Capybara::ElementNotFound: Unable to find button "Sign in"',
                "  page title: Problem loading page",
                "  Firefox can't establish a connection to the server at web:3000.",
            ),
            ErrorType.NAVIGATION_FAILED,
        ),
        # a timeout block around one step that a retry got past: the later failure decides
        (
            (
                "[Pipeline] timeout",
                "Cancelling nested steps due to timeout",
                "[Pipeline] // timeout",
                "Retrying",
                "[Pipeline] sh",
                "+ ./gradlew test",
                "> Task :compileJava",
                "> Task :test",
                "OrderTotalsTest > sumsLines() FAILED",
                "    org.opentest4j.AssertionFailedError: expected: <3> but was: <2>",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # a page-level action on a selector, still waiting for it when the test's time ran out
        (
            (
                "    Error: page.click: Test timeout of 30000ms exceeded.",
                "    Call log:",
                "      - waiting for locator('#checkout')",
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        # a demo shop's login refusal in the page snapshot; a BDD framework's login step
        (
            (
                "Error: Timed out 5000ms waiting for expect(page).toHaveURL(expected)",
                "Expected pattern: /.*inventory.html/",
                '  - text: "Epic sadface: Username and password do not match any user in this '
                'service"',
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                '    Given I am logged in as a user with the "editor" role',
                "      Failed to log in as user 'x7Qa' with role 'editor' (Exception)",
            ),
            ErrorType.AUTH_FAILED,
        ),
        # rspec-rails' have_http_status: the status the app answered names the cause
        (
            (
                "     Failure/Error: expect(response).to have_http_status(:ok)",
                "       expected the response to have status code :ok (200) but it was "
                ":unauthorized (401)",
            ),
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "     Failure/Error: expect(response).to have_http_status(:success)",
                "       expected the response to have a success status code (2xx) but it was 500",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # the migration command a test bootstrap runs, failing
        (
            (
                "Error: Command failed with exit code 1: npx knex migrate:latest",
                "    at makeError (node_modules/execa/lib/error.js:60:11)",
            ),
            ErrorType.MIGRATION_FAILED,
        ),
        # a test's own words (what it expected, its source, its title) are not the cause
        # what the test expected is its own wording, not what broke the run
        (
            (
                "  ● http client › maps a dropped connection",
                "",
                "    expect(received).toBe(expected) // Object.is equality",
                "",
                '    Expected: "ECONNRESET"',
                '    Received: "EPIPE"',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "Failure:",
                "DiskAlertTest#test_message [test/disk_alert_test.rb:9]:",
                'Expected: "No space left on device: /var/data"',
                '  Actual: "Disk almost full"',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # a count of 0 in an expect() call log is an element that is not there
        (
            (
                "E       AssertionError: Locator expected to have count '1'",
                "E       Actual value: 0",
                "E       Call log:",
                'E         - waiting for get_by_test_id("project-row")',
                "E         -   locator resolved to 0 elements",
                'E         -   unexpected value "0"',
            ),
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "    expect(received).rejects.toThrow(expected)",
                "",
                '    Expected message: "connect ECONNREFUSED 127.0.0.1:5432"',
                '    Received message: "pool is closed"',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "  1) [chromium] › outage.e2e.ts:12:3 › shows a banner when the database is "
                "unavailable ──────",
                "    Error: expect(locator).toHaveText(expected) failed",
                '    Expected string: "We will be back soon"',
                '    Received string: "Loading"',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "AssertionError: expected 'pool is closed' to be 'ECONNREFUSED'",
                " \u276f src/db.test.ts:31:19",
                "     29|   it('maps a refused connection', async () => {",
                "     30|     const err = new Error('connect ECONNREFUSED 127.0.0.1:5432')",
                "     31|     expect(map(err)).toBe('ECONNREFUSED')",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        # ... unless it expected anything but the value it got
        (
            (
                "    Error: expect(received).not.toBe(expected) // Object.is equality",
                "",
                "    Expected: not 500",
            ),
            ErrorType.BACKEND_EXCEPTION,
        ),
        # a test's title and its source say what it checks, not what broke
        (
            (
                "  1) [chromium] › session.spec.ts:18:5 › shows the session expired banner ──────",
                "",
                "    Error: Timed out 5000ms waiting for expect(locator).toHaveText(expected)",
                "",
                '    Expected string: "Your session has expired."',
                '    Received string: "Welcome back"',
            ),
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "  ● retry › gives up after three attempts",
                "",
                "    expect(received).toBe(expected) // Object.is equality",
                "",
                "    Expected: 3",
                "    Received: 4",
                "",
                "      26 |   it('gives up after three attempts', async () => {",
                "      27 |     server.fail(new Error('socket hang up'))",
                "    > 28 |     expect(await attempts()).toBe(3)",
            ),
            ErrorType.ASSERTION_FAILED,
        ),
    ],
)
def test_where_the_message_comes_from_decides_its_type(
    classifier: Classifier, lines: tuple[str, ...], expected: ErrorType
) -> None:
    assert classifier.classify([text_log("ci.log", *lines)]).error_type is expected


@pytest.mark.parametrize(
    ("lines", "rule_id", "expected"),
    [
        # the same causes as other stacks print them: Go's chromedp, Rust's headless_chrome,
        # chromedriver, Laravel Dusk, Phoenix LiveViewTest and ConnTest, JUnit, NUnit, ExUnit,
        # Spring, Ecto, Doctrine, Codeception, NestJS Terminus, pytest-docker, the JVM's DNS
        (
            (
                "    browser_test.go:31: ",
                "        \tError:      \tReceived unexpected error:",
                '        \t            \texec: "google-chrome": executable file not found in $PATH',
            ),
            "browser.binary-not-found-other-stacks",
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "thread 'pdf::renders_invoice' panicked at src/pdf.rs:40:10:",
                "called `Result::unwrap()` on an `Err` value: Could not auto detect a chrome "
                "executable",
            ),
            "browser.binary-not-found-other-stacks",
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "ERROR webdriver: Request failed with status 500 due to unknown error: unknown "
                "error: no chrome binary at /usr/bin/google-chrome",
            ),
            "browser.binary-not-found-other-stacks",
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "  1) Tests\\Browser\\BoardTest::testMoveCard",
                "  Facebook\\WebDriver\\Exception\\TimeoutException: Waited 5 seconds for "
                "selector [@card-42].",
            ),
            "dusk.waited-for-selector",
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                '     ** (ArgumentError) selector "#invite-form" did not return any element within: ',
            ),
            "liveview.selector-matched-nothing",
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "1) importsLargeFile(ImporterTest)",
                "org.junit.runners.model.TestTimedOutException: test timed out after 2000 "
                "milliseconds",
            ),
            "junit.test-timed-out",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "  Failed ImportsLargeFile [2 s]",
                "  Error Message:",
                "   Test exceeded Timeout value of 2000ms",
            ),
            "dotnet.test-timed-out",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "     ** (ExUnit.TimeoutError) test timed out after 60000ms. You can change the timeout:",
            ),
            "exunit.test-timed-out",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "    jakarta.servlet.ServletException: Request processing failed: "
                'java.lang.NullPointerException: Cannot invoke "Cart.total()"',
                "        at org.springframework.test.web.servlet.MockMvc.perform(MockMvc.java:201)",
            ),
            "spring.mockmvc-request-failed",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "Caused by: org.springframework.jdbc.datasource.init.CannotReadScriptException: "
                "Cannot read SQL script from class path resource [data/orders.sql]",
            ),
            "spring.sql-script-missing",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "     ** (Ecto.NoResultsError) expected at least one result but got none in query:",
                '     from p0 in Shop.Product, where: p0.sku == ^"SKU-1"',
            ),
            "ecto.no-results",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "+ php bin/console doctrine:fixtures:load --group=e2e --no-interaction",
                ' [ERROR] Could not find any fixture services to load in the "e2e" group.',
            ),
            "seed.fixture-loaders",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "[Codeception\\Exception\\ModuleConfigException] Db module is not configured!",
                "File with dump doesn't exist. Please, check path for sql file: tests/_data/dump.sql",
            ),
            "seed.fixture-loaders",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "[Nest] 41  - ERROR [HealthCheckService] Health Check has failed! "
                '{"queue":{"status":"down"}}',
            ),
            "health.framework-checks",
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            ("E   Exception: Timeout reached while waiting on service!",),
            "health.framework-checks",
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                "  1) Invoices GET /invoices/:id returns the invoice",
                "     ** (RuntimeError) expected response with status 200, got: 401, with body:",
            ),
            "http.status-401-403",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "ReportServiceTest > fetchesRates() FAILED",
                "    java.net.UnknownHostException: api.exchangerate.host",
            ),
            "jvm.unknown-remote-host",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "E   OSError: Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', "
                "5432), [Errno 99] Cannot assign requested address",
            ),
            "asyncio.connect-call-failed-db-port",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "verifying github.com/acme/kit@v1.4.0: checksum mismatch",
                "        downloaded: h1:abc=",
                "SECURITY ERROR",
            ),
            "go.module-download",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            ("npm error code EBADENGINE", "npm error engine Unsupported engine"),
            "npm.eresolve",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "  × No solution found when resolving dependencies:",
                "  ╰─▶ Because you require numpy>=3 and numpy<3, we can conclude that your "
                "requirements are unsatisfiable.",
            ),
            "uv.no-solution",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "error: Failed to build `mysqlclient==2.2.8`",
                "  cause: The build backend returned an error",
                "  cause: Call to `setuptools.build_meta.get_requires_for_build_wheel` failed "
                "(exit status: 1)",
            ),
            "uv.build-failed",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "INFO [launcher]: Starting browser chrome 71.0 (OS X High Sierra) on BrowserStack",
                "Error: HTTP Basic: Access denied.",
            ),
            "auth.api-key-refused",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "E   google.auth.exceptions.DefaultCredentialsError: Your default credentials "
                "were not found.",
            ),
            "auth.api-key-refused",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "E   ee.ee_exception.EEException: Please authorize access to your Earth Engine "
                "account by running",
            ),
            "auth.api-key-refused",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "  1) test GET / (ShopWeb.PageControllerTest)",
                '     ** (File.Error) could not read file "priv/static/.vite/manifest.json": '
                "no such file or directory",
                '     code: conn = get(conn, ~p"/")',
                "     stacktrace:",
                "       (elixir 1.18.4) lib/file.ex:385: File.read!/1",
                "       (shop 0.1.0) lib/shop_web/components/layouts/root.html.heex:10: "
                "anonymous fn/2 in ShopWeb.Layouts.root/1",
            ),
            "phoenix.app-web-frames",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "proxy-1  | 2024/06/30 14:22:07 [error] 29#29: *41 connect() failed (111: "
                "Connection refused) while connecting to upstream, client: 172.18.0.1, server: "
                'localhost, request: "GET / HTTP/1.1", upstream: "http://172.18.0.3:8000/"',
            ),
            "nginx.upstream-refused",
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
                '      Connection id "0HM6A34N67LO5", Request id "0HM6A34N67LO5:00000005": An '
                "unhandled exception was thrown by the application.",
                "      System.NullReferenceException: Object reference not set to an instance "
                "of an object.",
            ),
            "aspnet.unhandled-exception",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]",
                "      An unhandled exception has occurred while executing the request.",
            ),
            "aspnet.unhandled-exception",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "WARNING  urllib3.connectionpool:connectionpool.py:870 Retrying (Retry(total=0, "
                "connect=None, read=None, redirect=None, status=None)) after connection broken by "
                "'NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7fa0b1c2d910>"
                ": Failed to establish a new connection: [Errno 111] Connection refused')': /",
            ),
            "py.urllib3-plain-http-refused",
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "   INFO  Seeding database.",
                "",
                "   Illuminate\\Contracts\\Container\\BindingResolutionException ",
                "",
                "  Target class [Database\\Seeders\\E2eSeeder] does not exist.",
            ),
            "seed.step-failed",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            ("** (Code.LoadError) could not load /app/priv/repo/seeds.exs. Reason: enoent",),
            "seed.step-failed",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "--- FAIL: TestListOrders (0.01s)",
                "    order_api_test.go:71: seeded order lookup: sql: no rows in result set",
            ),
            "seed.lookup-found-no-row",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "org.springframework.dao.EmptyResultDataAccessException: Incorrect result size: "
                "expected 1, actual 0",
            ),
            "seed.lookup-found-no-row",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                '{"level":50,"time":1719750000000,"reqId":"req-7","err":{"type":"TypeError",'
                '"message":"resize(...).toFormat is not a function"},"msg":"upload failed"}',
                '{"level":30,"time":1719750000001,"reqId":"req-7","res":{"statusCode":500},'
                '"responseTime":3.2,"msg":"request completed"}',
            ),
            "fastify.response-5xx",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "[2024-03-12 17:10:21] testing.ERROR: Call to a member function format() on null "
                '{"userId":1,"exception":"[object] (Error(code: 0): Call to a member function '
                'format() on null at /app/app/Http/Controllers/BookingController.php:57)"}',
            ),
            "laravel.logged-exception",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "Error:",
                "SubscriptionsControllerTest#test_upgrade:",
                "ArgumentError: wrong number of arguments (given 2, expected 1)",
                "    app/services/billing/prorate.rb:12:in 'call'",
                "    app/controllers/subscriptions_controller.rb:34:in 'upgrade'",
            ),
            "rails.controller-frames",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "[Nest] 8956   - 10/02/2021 05:44:21   [ExceptionHandler] Unable to connect to the "
                "database. Retrying (1)...",
                "Error: connect ETIMEDOUT",
            ),
            "nest.database-retrying",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "newman run postman/collections/orders.json -e postman/environments/ci.json",
                "error: collection could not be loaded",
                '  unable to read data from file "postman/collections/orders.json"',
            ),
            "newman.collection-not-loaded",
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "tst_test.c:1433: TINFO: Timeout per run is 0h 15m 00s",
                "Test timeouted, sending SIGKILL!",
                "tst_test.c:1480: TBROK: Test killed! (timeout?)",
            ),
            "ltp.test-timeout",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "Using CPython 3.11.2 interpreter at: /usr/bin/python3.11",
                "error: The requested interpreter resolved to Python 3.11.2, which is incompatible "
                "with the project's Python requirement: `>=3.14, <4.0` (from "
                "`project.requires-python`)",
            ),
            "python.version-unsupported",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            ("ERROR: Package 'acme-api' requires a different Python: 3.9.18 not in '>=3.10'",),
            "python.version-unsupported",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "tests/utils/utils.py:24: in get_superuser_token_headers",
                '    a_token = tokens["access_token"]',
                "E   KeyError: 'access_token'",
            ),
            "auth.login-answered-without-token",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "  Failed Orders.Tests.OrdersApiTests.ListsOrders [212 ms]",
                "  Error Message:",
                "   Npgsql.NpgsqlException : Failed to connect to 127.0.0.1:5432",
                "---- System.Net.Sockets.SocketException : Connection refused",
                "Npgsql.NpgsqlException (0x80004005): Failed to connect to 127.0.0.1:5432",
            ),
            "npgsql.connect-failed",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "[WebServer]  \u2a2f TypeError: Cannot read properties of undefined (reading 'call')",
                "[WebServer]     at Object.__webpack_require__ [as require] "
                "(/app/.next/server/webpack-runtime.js:33:43) {",
                "  ✘  21 tests/e2e/public-pages.spec.ts:43:9 › public page loads: /courses (11.5s)",
                "    Error: Expected /courses to load without a server error",
            ),
            "nextjs.server-error",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                "[chrome 122.0.6261.94 linux #0-0] Error: Can't call click on element with "
                'selector "[data-test="login-submit"]" because element wasn\'t found',
            ),
            "wdio.element-not-found",
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "..................F......................[gw2] node down: Not properly terminated",
                "F",
                "replacing crashed worker gw2",
                "E   assert 0 == 12",
            ),
            "xdist.worker-crashed",
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            (
                "  1) Importer::CsvJob imports a 10k row file",
                "     Failure/Error: expect(described_class.perform_now(upload)).to eq(:ok)",
                "",
                "     Timeout::Error:",
                "       execution expired",
                "     # ./app/services/importer/row_writer.rb:44:in `block in flush'",
            ),
            "ruby.timeout-expired",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "Ferrum::BinaryNotFoundError: Could not find an executable for the browser. Try to "
                'make it available on the PATH or set environment variable for example BROWSER_PATH="'
                '/usr/bin/chrome"',
            ),
            "driver.binary-not-found",
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "E   ValueError: There is no such driver by url "
                "https://chromedriver.storage.googleapis.com/LATEST_RELEASE_115.0.5790",
            ),
            "driver.binary-not-found",
            ErrorType.BROWSER_NOT_INSTALLED,
        ),
        (
            (
                "error: RPC failed; curl 92 HTTP/2 stream 5 was not closed cleanly: CANCEL (err 8)",
                "fatal: early EOF",
            ),
            "net.remote-transfer-cut",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "E   botocore.exceptions.ClientError: An error occurred (503) when calling the "
                "HeadObject operation (reached max retries: 4): Slow Down",
            ),
            "net.remote-transfer-cut",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            ("E   aiohttp.client_exceptions.ServerDisconnectedError: Server disconnected",),
            "py.remote-connection-error",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "12:44:35.001 [error] Postgrex.Protocol (#PID<0.521.0>) failed to connect: ** "
                "(Postgrex.Error) FATAL 53300 (too_many_connections) sorry, too many clients "
                "already",
                "     ** (DBConnection.ConnectionError) connection not available and request was "
                "dropped from queue after 1998ms. You can address this by:",
                "       1. Ensuring your database is available and that you can connect to it",
                "       (shop 0.1.0) lib/shop_web/controllers/order_controller.ex:12: "
                "ShopWeb.OrderController.index/2",
            ),
            "pg.too-many-clients",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "thread 'main' panicked at tests/common/mod.rs:21:10:",
                "Failed to migrate the database: VersionMissing(20240101000000)",
            ),
            "migration.generic-failed",
            ErrorType.MIGRATION_FAILED,
        ),
        (
            (
                '    QueryFailedError: column "ownerId" contains null values',
                'Migration "AddOwner1712930000000" failed, error: column "ownerId" contains null '
                "values",
            ),
            "migration.generic-failed",
            ErrorType.MIGRATION_FAILED,
        ),
        (
            (
                '  File "/venv/lib/python3.12/site-packages/django/db/migrations/executor.py", '
                "line 255, in apply_migration",
                "    state = migration.apply(state, schema_editor)",
                "LookupError: App 'billing' doesn't have a 'Invoic' model.",
            ),
            "migration.runner-frames",
            ErrorType.MIGRATION_FAILED,
        ),
        (
            (
                "The active test run was aborted. Reason: Test host process crashed : Unhandled "
                "exception. System.OutOfMemoryException: Exception of type "
                "'System.OutOfMemoryException' was thrown.",
            ),
            "jvm.oom",
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            (
                "    A jest worker process (pid=3114) was terminated by another process: "
                "signal=SIGKILL, exitCode=null. Operating system logs may contain more "
                "information on why this occurred.",
            ),
            "jest.worker-killed",
            ErrorType.RESOURCE_EXHAUSTED,
        ),
        (
            (
                "LedgerTest > initializationError FAILED",
                "    java.lang.Exception: No runnable methods",
            ),
            "junit.no-runnable-methods",
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "No test is available in /src/Billing.Tests/bin/Release/net8.0/Billing.Tests.dll. "
                "Make sure that test discoverer & executors are registered and platform & "
                "framework version settings are appropriate and try again.",
            ),
            "test-discovery-failed",
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        # pytest-playwright's own outputs, old and new
        (
            (
                "E       AssertionError: Locator expected to have text '$43.20'",
                "E       Actual value: $48.00",
                "E       Call log:",
                'E         - Expect "to_have_text" with timeout 5000ms',
                'E         - waiting for locator("#total")',
                'E           9 × locator resolved to <strong id="total">$48.00</strong>',
                'E             - unexpected value "$48.00"',
                'E         -   locator resolved to <strong id="total">$48.00</strong>',
                'E         -   unexpected value "$48.00"',
            ),
            "playwright.unexpected-value",
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "E           playwright._impl._api_types.TimeoutError: Timeout 30000ms exceeded.",
                "E           =========================== logs ===========================",
                'E           waiting for selector "text=Save changes"',
                "E           ============================================================",
            ),
            "playwright.old-waiting-for-selector",
            ErrorType.LOCATOR_NOT_FOUND,
        ),
        (
            (
                "WARNING django.security.csrf: Forbidden (Origin checking failed - "
                "http://127.0.0.1:8000 does not match any trusted origins.): /accounts/login/",
            ),
            "auth.csrf",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "[2026-03-02 10:14:03,118] INFO in csrf: The CSRF token is missing.",
                '127.0.0.1 - - [02/Mar/2026 10:14:03] "POST /threads/new HTTP/1.1" 400 -',
            ),
            "auth.csrf",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "+ python manage.py loaddata e2e_catalogue",
                "Installed 0 object(s) from 1 fixture(s)",
                "Not Found: /products/blue-widget/",
            ),
            "django.loaddata-installed-nothing",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                'psycopg.errors.ForeignKeyViolation: insert or update on table "products" '
                "violates foreign key constraint",
                "Seeding aborted: 0 of 12 fixtures loaded",
            ),
            "seed.step-failed",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was "
                "provided. To update the lockfile, run `uv lock`.",
            ),
            "uv.lockfile-outdated",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        # variants a look-alike review found
        (
            (
                "  Failed ImportsLargeFile",
                "  Test 'ImportsLargeFile' exceeded execution timeout period.",
            ),
            "dotnet.test-timed-out",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (' [ERROR] Could not find any fixtures to load in the "ci" group.',),
            "seed.fixture-loaders",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "java.lang.IllegalStateException: No data scripts found at location "
                "'classpath:db/seed-e2e.sql'",
            ),
            "spring.sql-script-missing",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "jakarta.servlet.ServletException: Request processing failed: org.springframework."
                "security.authentication.AuthenticationCredentialsNotFoundException: An "
                "Authentication object was not found in the SecurityContext",
            ),
            "auth.token-expired",
            ErrorType.AUTH_FAILED,
        ),
        (
            ("Forbidden (CSRF token from POST incorrect.): /accounts/login/",),
            "auth.csrf",
            ErrorType.AUTH_FAILED,
        ),
        (
            ("ForbiddenError: invalid csrf token",),
            "auth.csrf",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "Invalid CSRF Token 'null' was found on the request parameter '_csrf' or header "
                "'X-CSRF-TOKEN'.",
            ),
            "auth.csrf",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                'Error while executing "/app/seeds/02_products.js" seed: insert into "products" '
                '- null value in column "sku"',
            ),
            "seed.step-failed",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "An error occurred while running the seed command:",
                "Error: Command failed: ts-node prisma/seed.ts",
            ),
            "seed.step-failed",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            ("Installed 0 object(s) from 1 fixture(s)",),
            "django.loaddata-installed-nothing",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "Execution failed for task ':api:test'.",
                "> No tests found for given includes: [com.acme.LedgerTest](--tests filter)",
            ),
            "junit.no-runnable-methods",
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                "An exception occurred while test discoverer 'NUnit3TestDiscoverer' was loading "
                "tests. Exception: Could not load file or assembly 'nunit.framework'",
            ),
            "test-discovery-failed",
            ErrorType.TEST_COLLECTION_ERROR,
        ),
        (
            (
                " ERR_PNPM_UNSUPPORTED_ENGINE  Unsupported environment (bad pnpm and/or Node.js version)",
            ),
            "pnpm.error",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            ("go: updates to go.mod needed; to update it:", "\tgo mod tidy"),
            "go.module-download",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "E           playwright._impl._api_types.TimeoutError: Timeout 30000ms exceeded.",
                "E           =========================== logs ===========================",
                'E           waiting for selector "text=Submit"',
                'E             selector resolved to visible <button disabled type="submit">Submit</button>',
                "E             element is not enabled - waiting...",
            ),
            "playwright.resolved-not-actionable",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "Encrypted environment variables have been removed for security reasons.",
                "See https://docs.travis-ci.com/user/pull-requests/#pull-requests-and-security-restrictions",
                "$ npm test",
                "  1 failing",
            ),
            "travis.secrets-withheld",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "$ php artisan migrate:fresh --seed",
                "In Connection.php line 669:",
                "  SQLSTATE[HY000] [1045] Access denied for user 'app'@'172.18.0.3' (using pa  ",
                "  ssword: YES) (SQL: SHOW FULL TABLES WHERE table_type = 'BASE TABLE')         ",
            ),
            "mysql.too-many-connections",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "bin/rails aborted!",
                "ActiveRecord::RecordInvalid: Validation failed: Email has already been taken",
                "/app/db/seeds.rb:14:in `<main>'",
                "Tasks: TOP => db:prepare",
            ),
            "seed.step-failed",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "Ferrum::StatusError: Request to http://127.0.0.1:3000/login failed to reach "
                "server, check DNS and server status",
            ),
            "ferrum.request-failed",
            ErrorType.NAVIGATION_FAILED,
        ),
        (
            (
                "--- FAIL: TestCurrencyForCountry/IE (0.00s)",
                "    currency_test.go:31: ",
                "        \tError Trace:\tcurrency_test.go:31",
                "        \tError:      \tNot equal: ",
                '        \t            \texpected: "EUR"',
                '        \t            \tactual  : "USD"',
            ),
            "go.testify-assertion",
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                '{"Time":"2024-05-01T10:00:00Z","Action":"output","Package":"acme/cart",'
                '"Test":"TestCart","Output":"        \\tError:      \\tShould NOT be empty, '
                'but was []\\n"}',
            ),
            "go.testify-assertion",
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "  1) test totals include VAT (Shop.CartTest)",
                "     test/shop/cart_test.exs:18",
                "     Assertion with == failed",
                "     code:  assert Cart.total(cart) == 1210",
            ),
            "exunit.assertion",
            ErrorType.ASSERTION_FAILED,
        ),
        (
            (
                "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint "
                'URL: "https://s3.eu-west-1.amazonaws.com/ci-artifacts"',
            ),
            "cloud.endpoint-unreachable",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "Error: HttpError: Server Error",
                "    at /home/runner/work/_actions/actions/deploy-pages/v4/node_modules/@octokit/"
                "request/dist-node/index.js:124:1",
            ),
            "cloud.endpoint-unreachable",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                "github.GithubException.GithubException: 503 "
                '{"message": "No server is currently available to service your request."}',
            ),
            "cloud.endpoint-unreachable",
            ErrorType.NETWORK_FLAKE,
        ),
        (
            (
                '[2024-05-01 10:11:42] local.ERROR: Division by zero {"userId":1,"exception":"'
                "[object] (DivisionByZeroError(code: 0): Division by zero at "
                "/app/app/Support/TaxBreakdown.php:44)",
            ),
            "laravel.logged-exception",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            (
                '<failure message="Status expected:&lt;200&gt; but was:&lt;500&gt;" '
                'type="java.lang.AssertionError">',
            ),
            "http.status-500",
            ErrorType.BACKEND_EXCEPTION,
        ),
        (
            ("PrismaClientKnownRequestError: No record was found for a query.",),
            "seed.record-not-found",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                'DocumentNotFoundError: No document found for query "{ _id: 1001 }" on model '
                '"Order"',
            ),
            "seed.record-not-found",
            ErrorType.SEED_DATA_MISSING,
        ),
        (
            (
                "Error: Timed out 5000ms waiting for expect(locator).toHaveURL(expected)",
                'Expected string: "http://localhost:3000/dashboard"',
                'Received string: "http://localhost:3000/sign-in"',
                '  -   unexpected value "http://localhost:3000/sign-in"',
            ),
            "playwright.login-page-received",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "Error: Failed to login as admin",
                "    at quickLogin (/home/runner/work/app/app/tests/e2e/helpers/auth.helpers.ts:88:11)",
            ),
            "auth.login-form-rejected",
            ErrorType.AUTH_FAILED,
        ),
        (
            (
                "  console.warn",
                "    Redis connection error: getaddrinfo ENOTFOUND redis",
                "  \u25cf Tenants \u203a lists tenants",
                '    thrown: "Exceeded timeout of 30000 ms for a hook.',
            ),
            "web.db-refused",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "com.mongodb.MongoSocketException: api-test-db: Temporary failure in name resolution",
                "Caused by: java.net.UnknownHostException: api-test-db: Temporary failure in name "
                "resolution",
            ),
            "web.db-refused",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "[ERROR] Errors: ",
                "[ERROR]   OrderStreamTest.streamsUpdates:52",
                "  \u00bb Bind Address already in use",
            ),
            "server.port-in-use",
            ErrorType.HEALTH_CHECK_FAILED,
        ),
        (
            (
                '    self.browser.find_element(By.LINK_TEXT, "My lists").click()',
                "selenium.common.exceptions.TimeoutException: Message: timeout: Timed out "
                "receiving message from renderer: 30.000",
                "  (Session info: chrome=156.0.8078.129)",
            ),
            "chromedriver.renderer-timeout",
            ErrorType.TEST_TIMEOUT,
        ),
        (
            (
                "go: downloading golang.org/x/sync v0.18.0",
                'check_license.go:24:2: github.com/apache/skywalking-eyes@v0.8.1: Get "https://proxy'
                '.golang.org/github.com/apache/skywalking-eyes/@v/v0.8.1.mod": net/http: TLS '
                "handshake timeout",
            ),
            "go.module-proxy-fetch",
            ErrorType.DEPENDENCY_INSTALL_FAILED,
        ),
        (
            (
                "[ioredis] Unhandled error event: Error: connect ETIMEDOUT",
                "    at TLSSocket.<anonymous> (/srv/app/node_modules/ioredis/built/Redis.js:171:41)",
                "Error: Connection is closed.",
            ),
            "redis.connection-refused",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
        (
            (
                "Error during migration run:",
                'error: database "shop_test" does not exist',
                "    at parseErrorMessage (/srv/app/node_modules/pg-protocol/src/parser.ts:394:9)",
                "  severity: 'FATAL',",
                "  code: '3D000',",
            ),
            "pg.auth-or-missing-db",
            ErrorType.DATABASE_UNAVAILABLE,
        ),
    ],
)
def test_each_stacks_wording_is_read_by_its_rule(
    classifier: Classifier, lines: tuple[str, ...], rule_id: str, expected: ErrorType
) -> None:
    verdict = classifier.classify([text_log("ci.log", *lines)])
    assert rule_id in {e.rule_id for e in verdict.evidence}
    assert verdict.error_type is expected


def test_a_registry_that_cannot_serve_the_database_image_is_not_the_database(
    classifier: Classifier,
) -> None:
    verdict = classifier.classify(
        [
            text_log(
                "ci.log",
                'Error response from daemon: Get "https://registry-1.docker.io/v2/library/postgres/'
                'manifests/16": dial tcp: lookup registry-1.docker.io: Temporary failure in name '
                "resolution",
            )
        ]
    )
    assert "web.db-refused" not in {e.rule_id for e in verdict.evidence}
    assert verdict.error_type is ErrorType.NETWORK_FLAKE


def test_the_source_in_a_code_frame_is_not_an_expectation_that_failed(
    classifier: Classifier,
) -> None:
    """Playwright Test and Jest show the test's source around the failing line: an
    `expect(page)...` there is code, not a second failure competing with the real one."""
    verdict = classifier.classify(
        [
            text_log(
                "e2e.log",
                "  1) [chromium] › invoices.spec.ts:8:5 › sends an invoice ──────────────",
                "",
                "    Error: locator.click: Test timeout of 30000ms exceeded.",
                "    Call log:",
                "      - waiting for getByRole('button', { name: 'Send invoice' })",
                "",
                "      13 |     await page.getByLabel('Customer').fill('ACME');",
                "    > 14 |     await page.getByRole('button', { name: 'Send invoice' }).click();",
                "         |                                                                ^",
                "      15 |     await expect(page).toHaveURL(/invoices\\/\\d+/);",
            )
        ]
    )
    assert verdict.error_type is ErrorType.LOCATOR_NOT_FOUND
    assert verdict.confidence >= 0.8
    assert ErrorType.ASSERTION_FAILED not in {e.error_type for e in verdict.evidence}


def test_a_failed_login_setup_is_a_hint_not_a_cause(classifier: Classifier) -> None:
    """Playwright Test's login setup is the first test to reach the app: an app that is not
    up, a database or a server error breaks it first. Its failure alone is weak evidence of a
    login problem, shown beside what the message says."""
    setup = "  1) [setup] › tests/auth.setup.ts:6:1 › authenticate ──────────────────────"
    refused = classifier.classify(
        [
            text_log(
                "e2e.log",
                setup,
                "",
                "    Error: page.goto: net::ERR_CONNECTION_REFUSED at http://localhost:5173/login",
            )
        ]
    )
    assert refused.error_type is ErrorType.NAVIGATION_FAILED
    timed_out = classifier.classify(
        [
            text_log(
                "e2e.log",
                setup,
                "",
                "    Error: page.waitForURL: Test timeout of 30000ms exceeded.",
                '    waiting for navigation to "/" until "load"',
            )
        ]
    )
    assert timed_out.error_type is ErrorType.TEST_TIMEOUT
    assert ErrorType.AUTH_FAILED in [a.error_type for a in timed_out.alternatives]


def test_prismas_missing_record_is_weak_evidence_of_missing_seed_data() -> None:
    """P2025 names a record an operation needed: a seed row the run expects, or a test of the
    app's own not-found path. Alone it is a weak reading; next to a failed expectation it is
    not lifted over it."""
    rules_only = Classifier(load_rules(), model=None)
    missing = (
        "An operation failed because it depends on one or more records that were required but "
        "not found. No 'User' record(s) was found for a nested connect."
    )
    alone = rules_only.classify([text_log("ci.log", "PrismaClientKnownRequestError:", missing)])
    assert (alone.error_type, alone.confidence < 0.5) == (ErrorType.SEED_DATA_MISSING, True)
    expected = rules_only.classify(
        [
            text_log(
                "ci.log",
                "    expect(received).rejects.toThrow(expected)",
                '    Expected substring: "Record to delete does not exist."',
                f'    Received message:   "{missing}"',
            )
        ]
    )
    assert expected.error_type is ErrorType.ASSERTION_FAILED


def test_an_earlier_cause_wins_when_a_later_one_is_stronger_by_exactly_the_margin() -> None:
    # 0.9 - 0.3 is 0.6000000000000001 in floats: a cause at 0.6 must still be within it
    scores = {ErrorType.MIGRATION_FAILED: 0.6, ErrorType.BACKEND_EXCEPTION: 0.9}
    first = {ErrorType.MIGRATION_FAILED: (0, 26), ErrorType.BACKEND_EXCEPTION: (0, 99)}
    assert choose(scores, first) is ErrorType.MIGRATION_FAILED
    scores[ErrorType.BACKEND_EXCEPTION] = 0.91
    assert choose(scores, first) is ErrorType.BACKEND_EXCEPTION


def test_a_missing_table_far_from_the_500_it_caused_is_still_the_cause(
    classifier: Classifier,
) -> None:
    """Migrations never ran: the tests' own queries name the missing table, and the app's
    routes answer 500 for it further down."""
    lines = [
        "  ● GET /api/v1/movies › should return a 200 and all of the movies",
        "",
        '    error: select * from "movies" - relation "movies" does not exist',
        "",
        *[
            f"      at Parser.parseErrorMessage (node_modules/pg-protocol/dist/parser.js:{n}:98)"
            for n in range(283, 293)
        ],
        "  ● GET /api/v1/music/:genre › should return a 404 for an unknown genre",
        "",
        "    expect(received).toBe(expected) // Object.is equality",
        "",
        "    Expected: 404",
        "    Received: 500",
    ]
    assert classifier.classify([text_log("jest.log", *lines)]).error_type is (
        ErrorType.MIGRATION_FAILED
    )


def test_an_actual_value_is_a_status_only_when_it_reads_as_one(classifier: Classifier) -> None:
    def verdict(actual: str) -> ErrorType:
        log = text_log(
            "ci.log",
            "        \tError:      \tNot equal: ",
            "        \t            \texpected: 202",
            f"        \t            \tactual  : {actual}",
        )
        return classifier.classify([log]).error_type

    assert verdict("500") is ErrorType.BACKEND_EXCEPTION
    assert verdict("512") is not ErrorType.BACKEND_EXCEPTION  # a count, not a server error


def test_a_finished_laravel_migration_is_not_the_failure(classifier: Classifier) -> None:
    log = text_log(
        "ci.log",
        "Migrating: 2024_03_01_101500_create_orders_table",
        "Migrated:  2024_03_01_101500_create_orders_table (0.02 seconds)",
        "E   AssertionError: assert 3 == 4",
    )
    assert classifier.classify([log]).error_type is ErrorType.ASSERTION_FAILED


@pytest.mark.parametrize(
    ("lines", "rule_id"),
    [
        (
            (
                "HTTPError: 403 Client Error: rate limit exceeded for url: "
                "https://api.github.com/repos/acme/tool/releases/latest",
            ),
            "auth.api-refused",
        ),
        (
            (
                'error: duplicate key value violates unique constraint "users_pkey"',
                "    at Seeder._waterfallBatch (/app/node_modules/knex/lib/migrations/seed/"
                "Seeder.js:118:23)",
            ),
            "migration.runner-frames",
        ),
        (
            (
                "TimeoutError: waiting for selector `.spinner` to be hidden failed: timeout "
                "30000ms exceeded",
            ),
            "playwright.element-not-found",
        ),
        (
            (
                "o.s.s.a.AuthenticationManager: org.springframework.security.authentication."
                "BadCredentialsException: Bad credentials",
            ),
            "auth.api-refused",
        ),
        # cargo's wrapper around a submodule that was not checked out is not a registry outage
        (
            (
                "error: failed to get `proto-gen` as a dependency of package `server v0.1.0 "
                "(/home/runner/work/app/app/server)`",
                "Caused by:",
                "  failed to read `/home/runner/work/app/app/vendor/proto-gen/Cargo.toml`",
            ),
            "cargo.registry-download",
        ),
        # a test's settings file not copied next to it is not seed data
        (
            (
                "  Failed Shop.Tests.OrderTests.Totals [3 ms]",
                "  System.IO.FileNotFoundException : Could not find file "
                "'/src/Shop.Tests/bin/Debug/net8.0/appsettings.Test.json'.",
            ),
            "dotnet.test-data-missing",
        ),
        # a Go test's own indented log line is not the compiler's
        (
            ("    pool_test.go:88: cannot use pool after Close: got nil error",),
            "go.test-file-does-not-compile",
        ),
        # Clippy's lint failure is not a test build that failed
        (
            (
                "error: this `if` has identical blocks",
                "  = note: `-D clippy::if-same-then-else` implied by `-D warnings`",
                "error: could not compile `store` (lib) due to 1 previous error",
            ),
            "rust.compile-error",
        ),
        # an empty Optional is not an element the browser did not find
        (("java.util.NoSuchElementException: No value present",), "selenium.no-such-element"),
        # the app's own rate limiter answering the tests is not a third party's
        (
            ('INFO:     127.0.0.1:54321 - "POST /api/login HTTP/1.1" 429 Too Many Requests',),
            "http.rate-limited",
        ),
        # a test that could not parse the server's answer ran: its suite loaded
        (
            (
                "  ● api client › parses the user list",
                "    SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
                "      at JSON.parse (<anonymous>)",
            ),
            "jest.suite-syntax-error",
        ),
        # Julia wraps every error of a running suite file in a LoadError
        (("ERROR: LoadError: MethodError: no method matching solve(::Int64)",), "rspec.load-error"),
        # a setup step writing the migrations the repository does not commit
        (
            (
                "$ python manage.py makemigrations",
                "Migrations for 'members':",
                "  members/migrations/0001_initial.py",
                "FAILED members/tests/test_api.py::test_signup - KeyError: 'email'",
            ),
            "django.makemigrations-check-ran",
        ),
        (
            ("rm: cannot remove 'test/fixtures/tmp/*.db': No such file or directory",),
            "test.data-file-missing",
        ),
        (
            (
                "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods",
            ),
            "k8s.never-ready",
        ),
        # a request inside a running WebDriver session: the driver was up
        (
            (
                "Facebook\\WebDriver\\Exception\\WebDriverCurlException: Curl error thrown for http POST "
                "to /session/5d0e7c1f3a9b/url with params: {}",
            ),
            "selenium.server-not-running",
        ),
        # a missing key quoted by a skip, a test that expects the message, a code frame
        (
            ("SKIPPED [3] tests/test_llm.py:12: OPENAI_API_KEY environment variable is not set",),
            "auth.credentials-not-configured",
        ),
        (
            (
                '        with pytest.raises(ConfigError, match="ACME_API_KEY environment variable '
                'is not set"):',
            ),
            "auth.credentials-not-configured",
        ),
        (
            (
                "  ● config › throws when STRIPE_SECRET is missing",
                '      > 14 |       "STRIPE_SECRET is required",',
            ),
            "auth.credentials-not-configured",
        ),
        # look-alikes from the second review
        (
            (
                "Microsoft.Data.SqlClient.SqlException : Login failed for user 'sa'. Reason: Server "
                "is in script upgrade mode.",
            ),
            "auth.login-form-rejected",
        ),
        (
            (
                'Failed asserting that exception of type "Spatie\\\\Permission\\\\Exceptions\\\\'
                'RoleDoesNotExist" is thrown.',
            ),
            "laravel.permission-role-missing",
        ),
        (("+version https://git-lfs.github.com/spec/v1",), "git-lfs.pointer-instead-of-file"),
        # a host on the CI's own network is a service that is not up, not a third party
        (
            (
                "org.postgresql.util.PSQLException: The connection attempt failed.",
                "Caused by: java.net.UnknownHostException: postgres.ci.internal",
            ),
            "jvm.unknown-remote-host",
        ),
        # a test of an error path quoting the missing-row message; a diff quoting a migration
        (
            (
                "System.AssertException: Assertion Failed: Expected: Invoice not found, Actual: "
                "System.QueryException: List has no rows for assignment to SObject",
            ),
            "seed.apex-no-rows",
        ),
        (
            (
                "-   Error: Command failed with exit code 1: npx prisma migrate deploy",
                "+   Error: Command failed with exit code 1: npx prisma migrate reset",
            ),
            "migration.generic-failed",
        ),
        (
            (
                'proxy-1  | 172.18.0.1 - - [30/Jun/2024:14:22:07 +0000] "GET /wiki/Home/edit '
                'HTTP/1.1" 502 157 "-" "Mozilla/5.0"',
            ),
            "http.access-log-500",
        ),
        (
            (
                "    def test_missing_credentials_prints_hint(run):",
                '>       assert "google.auth.exceptions.DefaultCredentialsError" in run().stderr',
            ),
            "auth.api-key-refused",
        ),
        (
            (
                "google.auth.exceptions.RefreshError: ('Failed to retrieve http://metadata."
                "google.internal/computeMetadata/v1/instance/service-accounts/default/token from "
                "the Google Compute Engine metadata service. Status: 503')",
            ),
            "auth.api-key-refused",
        ),
        (("  \u2713 maps socket hang up to a retryable error (3 ms)",), "node.socket-errors"),
        (
            ("tests/test_client.py::test_retry_on_ECONNRESET PASSED                 [ 40%]",),
            "node.socket-errors",
        ),
        (
            ("[gw1] [ 25%] PASSED tests/test_client.py::test_retry_on_ECONNRESET ",),
            "node.socket-errors",
        ),
        (("ClientTest > retries on socket hang up PASSED",), "node.socket-errors"),
        (
            (
                "      \u0393\u00ea\u00dc should throw UnauthorizedException for invalid credentials",
            ),
            "auth.api-refused",
        ),
        (("  Passed Acme.ClientTests.Retries_on_ECONNRESET [12 ms]",), "node.socket-errors"),
    ],
)
def test_what_only_looks_like_a_cause_is_not_read_as_it(
    classifier: Classifier, lines: tuple[str, ...], rule_id: str
) -> None:
    # a rule's reading of a look-alike (the model may still guess from the words)
    verdict = classifier.classify([text_log("ci.log", *lines)])
    assert rule_id not in {e.rule_id for e in verdict.evidence}
    assert verdict.decided_by != "rules" or verdict.confidence < 0.5
