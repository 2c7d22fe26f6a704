"""JUnit XML (pytest, Playwright, Jest, Cypress reporters): test results, streamed with SAX."""

from __future__ import annotations

import html
import io
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


class _Handler(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.cases: list[Case] = []
        self._attrs: dict[str, str] = {}
        self._outcome = TestOutcome.PASSED
        self._message = ""
        self._text: list[str] = []
        self._in_failure = False
        self._properties: dict[str, str] = {}

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802 - SAX API
        if name == "testcase":
            self._attrs, self._outcome, self._message = dict(attrs), TestOutcome.PASSED, ""
            self._text, self._properties = [], {}
        elif name in ("failure", "error"):
            self._outcome = TestOutcome.FAILED if name == "failure" else TestOutcome.ERROR
            self._message = attrs.get("message", "") or attrs.get("type", "")
            self._in_failure = True
        elif name == "skipped" and self._outcome is TestOutcome.PASSED:
            self._outcome = TestOutcome.SKIPPED
            self._message = attrs.get("message", "")
        elif name == "property":
            self._properties[attrs.get("name", "")] = attrs.get("value", "")

    def characters(self, content: str) -> None:
        if self._in_failure and sum(map(len, self._text)) < MAX_MESSAGE:
            self._text.append(content)

    def endElement(self, name: str) -> None:  # noqa: N802 - SAX API
        if name in ("failure", "error"):
            self._in_failure = False
        elif name == "testcase":
            self.cases.append(self._case())

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
    handler = _Handler()
    parser = make_parser()
    parser.setContentHandler(handler)
    try:
        parser.parse(stream)
    except (xml.sax.SAXException, ValueError) as exc:  # defusedxml raises ValueError subclasses
        raise InputError(f"{name}: not a valid JUnit XML report: {exc}") from exc
    return handler.cases


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
    """`e2e/test_x.py::TestA::t[p]` -> `e2e.test_x.TestA.t[p]`, to compare pytest ids."""
    head, sep, tail = test_id.partition("::")
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


class UnescapedXml(io.RawIOBase):
    """A JUnit file read as text lines with entities decoded; line numbers stay those of the
    file (`&#10;` inside attributes becomes a space, not a new line)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if data and not data.endswith(b"\n"):
            data += self._stream.readline()
        text = data.decode("utf-8", "replace")
        text = re.sub(r"&#(10|13|x[aAdD]);", " ", text)
        return html.unescape(text).encode("utf-8")
