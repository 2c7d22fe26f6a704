"""Failed tests named in console output: pytest, unittest (and Django's runner), Playwright
(Python and Node), Jest, Cypress, RSpec; UI failures carry the locator and the action that
failed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import re2

from agent_engine.contracts import FailedTest
from agent_engine.triage.junit import same_test
from agent_engine.triage.redact import redact
from agent_engine.triage.scan import Hit

MAX_FAILED_TESTS = 500

# name -> pattern; matched lines reach FailureCollector in order (patterns are RE2 syntax).
EXTRACTORS: dict[str, str] = {
    "pytest_summary": r"^(FAILED|ERROR) [^ ]+::[^ ]+",
    "pytest_header": r"^_{3,} [^ ].* _{3,}$",
    "py_location": r"^[^ :]+\.py:[0-9]+: ?",
    "py_error": r"^E {2,}[^ ]",
    "pw_action": r"(TimeoutError|Error): (Locator|Page|Frame|ElementHandle)\.[A-Za-z_]+: ",
    "pw_expect": r"Expect \"[A-Za-z_]+\"",
    "pw_waiting": r"waiting for (locator|get_by_[a-z_]+|getBy[A-Za-z]+|frame_?[Ll]ocator)\(",
    "pw_node_summary": r"^ *[0-9]+\) \[[^]]+\] › [^ ]+:[0-9]+:[0-9]+ › ",
    "jest_bullet": r"^ *● [^ ]",
    "cypress_numbered": r"^  [0-9]+\) [^ ]",
    "rspec_rerun": r"^rspec \./[^ :]+:[0-9]+ # ",
    "unittest_header": r"^(ERROR|FAIL): [A-Za-z_][A-Za-z0-9_]* \([A-Za-z_][A-Za-z0-9_.]*\)",
    # a test runner's closing summary: every test passed, or some failed (RSpec's passing one
    # is not anchored at the line's start: with both anchored, Hyperscan 5.4 missed the failing
    # one after the prefix-tolerant head, where RE2 found it)
    "run_passed": (
        r"(^(=+ )?[0-9]+ passed(, [0-9]+ (skipped|deselected|xfailed|xpassed|warnings?))* in "
        r"[0-9.]+s|^ +[0-9]+ passed \([0-9.]+(ms|s|m|h)\)$|^Tests: +([0-9]+ (skipped|todo), )*"
        r"[0-9]+ passed, [0-9]+ total|[0-9]+ examples?, 0 failures(, [0-9]+ pending)?$)"
    ),
    "run_failed": (
        r"([0-9]+ (failed|errors?)(, [0-9]+ [a-z]+)* in [0-9.]+s|"
        r"^ +[0-9]+ (failed|interrupted)$|^Tests: +.*[0-9]+ failed|"
        r"^[0-9]+ examples?, [1-9][0-9]* failures?|^ +[0-9]+ failing$)"
    ),
}

_PYTEST_SUMMARY = re2.compile(r"^(?:FAILED|ERROR) (?P<id>\S+::\S+)(?: - (?P<msg>.*))?$")
_PYTEST_HEADER = re2.compile(r"^_{3,} (?P<name>.+?) _{3,}$")
_PY_LOCATION = re2.compile(r"^(?P<file>[^ :]+\.py):(?P<line>[0-9]+):")
_PY_ERROR = re2.compile(r"^E {2,}(?P<msg>\S.*)$")
_PW_ACTION = re2.compile(r"(?:Locator|Page|Frame|ElementHandle)\.(?P<action>[A-Za-z_]+): ")
_PW_EXPECT = re2.compile(r"Expect \"(?P<action>[A-Za-z_]+)\"")
_PW_WAITING = re2.compile(r"waiting for (?P<locator>\S.*?\))(?: to be [a-z]+)?\s*$")
_PW_NODE = re2.compile(
    r"^ *[0-9]+\) \[[^\]]+\] › (?P<file>[^ ]+):(?P<line>[0-9]+):[0-9]+ › (?P<title>.+?)(?: ─+)?\s*$"
)
_JEST = re2.compile(r"^ *● (?P<title>.+)$")
_JEST_NOT_TESTS = ("Test suite failed to run", "Console", "Validation Error")
_CYPRESS = re2.compile(r"^  [0-9]+\) (?P<title>.+)$")
_RSPEC = re2.compile(r"^rspec (?P<file>\./[^ :]+):(?P<line>[0-9]+) # (?P<title>.+)$")
# unittest's "FAIL: test_x (pkg.mod.Class.test_x)" (3.11+) or "(pkg.mod.Class)" (older)
_UNITTEST = re2.compile(r"^(?:ERROR|FAIL): (?P<name>[A-Za-z_]\w*) \((?P<path>[A-Za-z_][\w.]*)\)")
_LIBRARY_PATH = re2.compile(r"(site-packages|dist-packages|/\.venv/|/lib/python[0-9.]+/)")


@dataclass(slots=True)
class _Block:
    """One pytest failure section: `____ test_name ____` up to the next section."""

    name: str
    file: str = ""
    line: int | None = None
    message: str = ""
    locator: str = ""
    action: str = ""


@dataclass(slots=True)
class FailureCollector:
    """Builds FailedTest records from extractor hits, bounded to MAX_FAILED_TESTS."""

    names: list[str]  # extractor name by pattern index; "" for classifier rules
    tests: dict[str, FailedTest] = field(default_factory=dict)
    total: int = 0
    runs_passed: int = 0  # runner summaries saying every test passed
    runs_failed: int = 0  # runner summaries counting failures or errors
    _block: _Block | None = None
    _blocks: list[_Block] = field(default_factory=list)

    def feed(self, hit: Hit) -> None:
        """Take one hit in line order (hits of several logs may be fed one log after another)."""
        for index in hit.matched:
            handler = HANDLERS.get(self.names[index])
            if handler is not None:
                handler(self, hit)

    def finish(self) -> list[FailedTest]:
        """The failed tests found, pytest sections merged into their summary lines."""
        self._close_block()
        for block in self._blocks:
            self._merge_block(block)
        self._blocks.clear()
        return list(self.tests.values())

    def add(self, test: FailedTest) -> None:
        """Add a test, or fill the empty fields of one already known under the same id."""
        test = test.model_copy(
            update={k: redact(getattr(test, k)) for k in ("id", "message", "locator")}
        )
        known = self.tests.get(self._same_test(test.id))
        if known is None:
            self.total += 1
            if len(self.tests) < MAX_FAILED_TESTS:
                self.tests[test.id] = test
            return
        fill = {k: v for k, v in test.model_dump().items() if v and not getattr(known, k)}
        if test.file and test.line is not None and known.line is None:
            # a file and its line go together: a test's module (from its id) never gets the
            # line of a page object it called
            fill["file"], fill["line"] = test.file, test.line
        if known.message.endswith("...") and len(test.message) > len(known.message):
            fill["message"] = test.message  # pytest's summary line cuts messages short
        if fill:
            self.tests[known.id] = known.model_copy(update=fill)

    def _same_test(self, test_id: str) -> str:
        """The id under which this test is already known: pytest prints ids relative to where
        it started (`e2e/test_x.py::t`), its JUnit XML relative to its rootdir (`test_x::t`)."""
        if test_id in self.tests:
            return test_id
        return next((known for known in self.tests if same_test(known, test_id)), test_id)

    def _merge_block(self, block: _Block) -> None:
        name = block.name.replace(".", "::")
        match = next((i for i in self.tests if i.endswith(f"::{name}")), None)
        test_id = match or (f"{block.file}::{block.name}" if block.file else block.name)
        self.add(
            FailedTest(
                id=test_id,
                file=block.file,
                line=block.line,
                message=block.message,
                locator=block.locator,
                action=block.action,
            )
        )

    def _close_block(self) -> None:
        block, self._block = self._block, None
        # Sections without a test location or error line are pytest's own (summary,
        # coverage); collection and setup errors are reported by the summary lines.
        if block and (block.file or block.message) and not block.name.startswith("ERROR "):
            self._blocks.append(block)

    def _on_pytest_summary(self, hit: Hit) -> None:
        if (m := _PYTEST_SUMMARY.match(hit.text)) is not None:
            self.add(FailedTest(id=m["id"], file=m["id"].split("::")[0], message=m["msg"] or ""))

    def _on_pytest_header(self, hit: Hit) -> None:
        if (m := _PYTEST_HEADER.match(hit.text)) is not None:
            self._close_block()
            self._block = _Block(m["name"])

    def _on_py_location(self, hit: Hit) -> None:
        m = _PY_LOCATION.match(hit.text)
        block = self._block
        if m and block and not block.file and not _LIBRARY_PATH.search(m["file"]):
            block.file, block.line = m["file"], int(m["line"])

    def _on_py_error(self, hit: Hit) -> None:
        m = _PY_ERROR.match(hit.text)
        if m and self._block and not self._block.message:
            self._block.message = m["msg"]

    def _on_pw_action(self, hit: Hit) -> None:
        self._set_action(_PW_ACTION.search(hit.text))

    def _on_pw_expect(self, hit: Hit) -> None:
        self._set_action(_PW_EXPECT.search(hit.text))

    def _set_action(self, m: Any) -> None:  # an re2 match (re2 has no type stubs)
        if m and self._block and not self._block.action:
            self._block.action = m["action"]

    def _on_pw_waiting(self, hit: Hit) -> None:
        m = _PW_WAITING.search(hit.text)
        if m and self._block and not self._block.locator:
            self._block.locator = m["locator"]

    def _on_pw_node_summary(self, hit: Hit) -> None:
        if (m := _PW_NODE.match(hit.text)) is not None:
            self.add(
                FailedTest(id=f"{m['file']} › {m['title']}", file=m["file"], line=int(m["line"]))
            )

    def _on_jest_bullet(self, hit: Hit) -> None:
        m = _JEST.match(hit.text)
        if m and not m["title"].startswith(_JEST_NOT_TESTS):
            self.add(FailedTest(id=m["title"].strip()))

    def _on_cypress_numbered(self, hit: Hit) -> None:
        m = _CYPRESS.match(hit.text)
        if m is None:
            return
        parts = [m["title"].strip()]
        for _, text in hit.after:
            if not text.startswith("      ") or text.strip().startswith(("Error", "Assertion")):
                return  # not Cypress's "N) suite / test:" block (RSpec indents by 5)
            parts.append(text.strip())
            if text.endswith(":"):
                self.add(FailedTest(id=" ".join(parts)[:-1]))
                return

    def _on_rspec_rerun(self, hit: Hit) -> None:
        if (m := _RSPEC.match(hit.text)) is not None:
            self.add(
                FailedTest(
                    id=f"{m['file']}:{m['line']}",
                    file=m["file"],
                    line=int(m["line"]),
                    message=m["title"],
                )
            )

    def _on_unittest_header(self, hit: Hit) -> None:
        """A unittest failure: its id is the dotted path the runner takes back to rerun it."""
        if (m := _UNITTEST.match(hit.text)) is None:
            return
        path, name = m["path"], m["name"]
        self.add(FailedTest(id=path if path.endswith(f".{name}") else f"{path}.{name}"))

    def _on_run_passed(self, _hit: Hit) -> None:
        self.runs_passed += 1

    def _on_run_failed(self, _hit: Hit) -> None:
        self.runs_failed += 1

    @property
    def all_passed(self) -> bool:
        """Runner summaries were printed, each said every test passed, and no test failed."""
        return self.runs_passed > 0 and self.runs_failed == 0 and self.total == 0


# Extractor name -> what to do with a line it matched.
HANDLERS: dict[str, Callable[[FailureCollector, Hit], None]] = {
    name: getattr(FailureCollector, f"_on_{name}") for name in EXTRACTORS
}
