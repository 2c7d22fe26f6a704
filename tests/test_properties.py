"""Property-based checks: any log, however odd, classifies without error and stays in bounds."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_engine.triage import scan
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.redact import redact
from agent_engine.triage.rules import load_rules
from agent_engine.triage.scan import Scanner, ScanStats

CLASSIFIER = Classifier(load_rules())
PIECES = st.sampled_from(
    [
        "2024-03-05T10:11:12.1234567Z ",
        "\x1b[31m",
        "\x1b[0m",
        "##[error]",
        "\r",
        "\n",
        "\n\n",
        "E   ",
        "FAILED a.py::t - ",
        "_____ t _____",
        "Locator.click: Timeout 5000ms exceeded.",
        "connection refused",
        "ghp_" + "a" * 36,
        "password=x",
        "\ufeff",
        "\x00",
        "é",
        "::",
    ]
)
LOGS = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(LOGS)
def test_any_log_classifies_and_every_line_number_is_in_range(text: str) -> None:
    verdict = CLASSIFIER.classify([LogSource.from_text("any.log", text)])
    total = text.encode("utf-8", "surrogateescape").count(b"\n") + 1
    assert 0 <= verdict.lines_scanned <= total
    for item in verdict.evidence:
        assert 1 <= item.line <= total
        assert all(1 <= c.line <= total for c in item.context)
    assert "ghp_" + "a" * 36 not in verdict.model_dump_json()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=64))
def test_scanning_any_bytes_in_any_chunking_finds_the_same_lines(data: bytes, chunk: int) -> None:
    whole = list(Scanner(["x", "^y"]).scan(io.BytesIO(data), ScanStats()))
    saved, scan.CHUNK_BYTES = scan.CHUNK_BYTES, chunk
    try:
        pieces = list(Scanner(["x", "^y"]).scan(io.BytesIO(data), ScanStats()))
    finally:
        scan.CHUNK_BYTES = saved
    assert [(h.line, h.text, h.before, h.after) for h in pieces] == [
        (h.line, h.text, h.before, h.after) for h in whole
    ]


@given(st.text(max_size=200))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
