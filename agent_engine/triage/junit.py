"""JUnit XML (pytest, Playwright, Jest, Cypress reporters): test results, streamed with SAX."""

from __future__ import annotations

import re
import xml.sax
import xml.sax.handler
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.sax.xmlreader import AttributesImpl

from defusedxml.sax import make_parser

from agent_engine.contracts import TestOutcome, TestResult
from agent_engine.errors import InputError

MAX_MESSAGE = 20_000
_PY_FILE_LINE = re.compile(r"^(?P<file>[^\s:]+\.py):(?P<line>[0-9]+):", re.MULTILINE)


@dataclass(slots=True)
class Case:
    """One <testcase>, with its failure text kept for the classifier."""

    result: TestResult
    text: str = ""
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    """A JUnit report read for the classifier: its cases, and the text of its failures as
    separate pieces (each message, failure text, system-out and system-err, with the file
    line it starts on), never the XML around them; and the stack its tests are written in."""

    cases: list[Case]
    lines: list[tuple[int, str]]
    stack: str


_STACK_OF_SUFFIX = {
    ".py": "python",
    ".js": "node",
    ".mjs": "node",
    ".cjs": "node",
    ".ts": "node",
    ".tsx": "node",
    ".jsx": "node",
    ".rb": "ruby",
    ".java": "jvm",
    ".kt": "jvm",
    ".scala": "jvm",
    ".groovy": "jvm",
}
_SOURCE_FILE = re.compile(r"[\w/.-]+(\.(?:py|m?js|cjs|tsx?|jsx|rb|java|kt|scala|groovy))\b")
_OUTPUT = ("system-out", "system-err")
MAX_REPORT_TEXT = 4 << 20  # the failure text the classifier reads from one report


class _Handler(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.cases: list[Case] = []
        self.lines: list[tuple[int, str]] = []
        self.stacks: dict[str, int] = {}
        self._attrs: dict[str, str] = {}
        self._outcome = TestOutcome.PASSED
        self._message = ""
        self._text: list[str] = []
        self._in_failure = False
        self._properties: dict[str, str] = {}
        self._output: list[str] | None = None
        self._output_line = 0
        self._failure_line = 0
        self._locator: xml.sax.xmlreader.Locator | None = None
        self._size = 0
        self._in_case = False

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:  # noqa: N802
        self._locator = locator

    def _line(self) -> int:
        return (self._locator.getLineNumber() or 0) if self._locator else 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802 - SAX API
        if name == "testcase":
            self._attrs, self._outcome, self._message = dict(attrs), TestOutcome.PASSED, ""
            self._text, self._properties, self._in_case = [], {}, True
            self._count_stack(attrs.get("file", ""))
        elif name in ("failure", "error"):
            self._outcome = TestOutcome.FAILED if name == "failure" else TestOutcome.ERROR
            self._message = attrs.get("message", "") or attrs.get("type", "")
            self._in_failure = True
            self._failure_line = self._line()
            self._keep(self._failure_line, attrs.get("message", ""))
        elif name == "skipped" and self._outcome is TestOutcome.PASSED:
            self._outcome = TestOutcome.SKIPPED
            self._message = attrs.get("message", "")
        elif name == "property":
            self._properties[attrs.get("name", "")] = attrs.get("value", "")
        elif name in _OUTPUT:
            self._output, self._output_line = [], self._line()

    def characters(self, content: str) -> None:
        if self._in_failure and sum(map(len, self._text)) < MAX_MESSAGE:
            self._text.append(content)
        elif self._output is not None and sum(map(len, self._output)) < MAX_MESSAGE:
            self._output.append(content)

    def endElement(self, name: str) -> None:  # noqa: N802 - SAX API
        if name in ("failure", "error"):
            self._in_failure = False
            text = "".join(self._text)
            self._keep(self._failure_line, text)
            for found in _SOURCE_FILE.finditer(text[:MAX_MESSAGE]):
                self._count_stack(found.group(0))
        elif name == "testcase":
            self.cases.append(self._case())
            self._in_case = False
        elif name in _OUTPUT and self._output is not None:
            # a passing test's output is not the failure's evidence; the suite's is
            failing = self._outcome in (TestOutcome.FAILED, TestOutcome.ERROR)
            if failing or not self._in_case:
                self._keep(self._output_line, "".join(self._output))
            self._output = None

    def _keep(self, line: int, text: str) -> None:
        for offset, piece in enumerate(text.splitlines()):
            if self._size < MAX_REPORT_TEXT and piece.strip():
                self.lines.append((line + offset, piece))
                self._size += len(piece)

    def _count_stack(self, path: str) -> None:
        for suffix, stack in _STACK_OF_SUFFIX.items():
            if path.endswith(suffix):
                self.stacks[stack] = self.stacks.get(stack, 0) + 1

    def _case(self) -> Case:
        text = "".join(self._text)[:MAX_MESSAGE]
        module, line = _location(self._attrs, text)
        name, classname = self._attrs.get("name", "?"), self._attrs.get("classname", "")
        file, line = _failing_line(self._properties.get("failure_location", ""), module, line)
        result = TestResult(
            id=_test_id(classname, name, module),
            outcome=self._outcome,
            duration_s=_seconds(self._attrs.get("time", "")),
            message=(self._message or text)[:MAX_MESSAGE],
            file=file,
            line=line,
        )
        return Case(result, text, self._properties)


def parse_junit(stream: BinaryIO, name: str = "junit.xml") -> list[Case]:
    """Every <testcase> of a JUnit report; a malformed or hostile file is an InputError."""
    return read_report(stream, name).cases


def read_report(stream: BinaryIO, name: str = "junit.xml") -> Report:
    """A JUnit report's cases, failure text and stack; malformed or hostile: InputError."""
    handler = _Handler()
    parser = make_parser()
    parser.setContentHandler(handler)
    try:
        parser.parse(stream)
    except (xml.sax.SAXException, ValueError) as exc:  # defusedxml raises ValueError subclasses
        raise InputError(f"{name}: not a valid JUnit XML report: {exc}") from exc
    stack = max(handler.stacks, key=lambda s: handler.stacks[s], default="")
    return Report(handler.cases, handler.lines, stack)


def read_cases(paths: Iterable[Path]) -> list[Case]:
    """Every <testcase> of the reports in `paths` that exist (a job that never ran has none)."""
    cases: list[Case] = []
    for path in paths:
        if path.exists():
            with path.open("rb") as stream:
                cases += parse_junit(stream, str(path))
    return cases


def same_test(a: str, b: str) -> bool:
    """Whether two ids name one test: pytest prints ids relative to where it started
    (`e2e/test_x.py::t`), its JUnit XML relative to its rootdir (`test_x::t`)."""
    if a == b:
        return True
    one, other = _dotted(a), _dotted(b)
    return one == other or one.endswith("." + other) or other.endswith("." + one)


def _dotted(test_id: str) -> str:
    """`e2e/test_x.py::TestA::t[p]` -> `e2e.test_x.TestA.t[p]`, to compare pytest ids;
    Playwright Test's `tests/a.spec.ts › Group › t` (its report: `a.spec.ts::Group › t`) alike."""
    head, sep, tail = test_id.replace(" › ", "::").partition("::")
    if not sep:
        return test_id
    return head.removesuffix(".py").replace("/", ".") + "." + tail.replace("::", ".")


def outcomes(cases: Iterable[Case], wanted: Iterable[str]) -> dict[str, str]:
    """How each wanted test ended in these reports: passed, failed, error, skipped, or
    missing (never run: deselected, collected only, not found). A test that ran several
    times (parameters, reruns) counts as passed only when every run passed."""
    results = [c.result for c in cases]
    found: dict[str, str] = {}
    for test in wanted:
        ran = [r.outcome for r in results if same_test(test, r.id)]
        worst = [
            o for o in (TestOutcome.ERROR, TestOutcome.FAILED, TestOutcome.SKIPPED) if o in ran
        ]
        found[test] = worst[0].value if worst else ("passed" if ran else "missing")
    return found


def _failing_line(named: str, file: str, line: int | None) -> tuple[str, int | None]:
    """The line that failed as Agent Engine's pytest plugin named it, whatever `--tb` said
    (it may be in a page object); else the test module's own line."""
    path, _, number = named.rpartition(":")
    return (path, int(number)) if path and number.isdigit() else (file, line)


def _location(attrs: dict[str, str], text: str) -> tuple[str, int | None]:
    """The test module and its line: the report's attributes, else the traceback's
    `file.py:line:` of that module."""
    if attrs.get("file"):
        line = attrs.get("line", "")
        return attrs["file"], int(line) + 1 if line.isdigit() else None
    classname = attrs.get("classname", "")
    for m in _PY_FILE_LINE.finditer(text):
        if _module_prefix(classname, m["file"]):
            return m["file"], int(m["line"])
    return "", None


def _module_prefix(classname: str, file: str) -> int:
    """How many leading parts of a pytest classname name the module `file` (0: none).
    The classname is relative to pytest's rootdir, the traceback path to where it started."""
    path = "." + file.removesuffix(".py").replace("/", ".")
    parts = classname.split(".")
    for count in range(len(parts), 0, -1):
        if path.endswith("." + ".".join(parts[:count])):
            return count
    return 0


def _test_id(classname: str, name: str, file: str) -> str:
    if file.endswith(".py"):
        # pytest: classname is the module path plus any class names.
        classes = classname.split(".")[_module_prefix(classname, file) :]
        return "::".join(p for p in (file, *classes, name) if p)
    return f"{classname}::{name}" if classname else name


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
