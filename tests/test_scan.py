"""The streaming scanner: exact line numbers and context across chunk boundaries, bounded work."""

from __future__ import annotations

import io

import pytest

from agent_engine.triage import scan
from agent_engine.triage.scan import Scanner, ScanStats


def numbered(count: int, every: int) -> bytes:
    lines = [f"line {i}" + (" ERROR boom" if i % every == 0 else "") for i in range(1, count + 1)]
    return ("\n".join(lines) + "\n").encode()


def expected_text(n: int, every: int) -> str:
    return f"line {n}" + (" ERROR boom" if n % every == 0 else "")


@pytest.mark.parametrize("chunk", [7, 16, 64, 4 << 20])
def test_line_numbers_and_context_survive_any_chunk_size(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(scan, "CHUNK_BYTES", chunk)
    stats = ScanStats()
    hits = list(Scanner(["ERROR"], context=2).scan(io.BytesIO(numbered(100, 7)), stats))
    assert [h.line for h in hits] == list(range(7, 101, 7))
    for hit in hits:
        assert hit.text == expected_text(hit.line, 7)
        assert [n for n, _ in hit.before] == [hit.line - 2, hit.line - 1]
        assert [n for n, _ in hit.after] == [n for n in (hit.line + 1, hit.line + 2) if n <= 100]
        assert all(t == expected_text(n, 7) for n, t in hit.before + hit.after)
    assert (stats.lines, stats.bytes) == (100, len(numbered(100, 7)))


def test_a_last_line_without_newline_and_crlf_endings() -> None:
    stats = ScanStats()
    data = b"ok\r\nfirst ERROR\r\nok\r\nlast ERROR"
    hits = list(Scanner(["ERROR$"]).scan(io.BytesIO(data), stats))
    assert [(h.line, h.text) for h in hits] == [(2, "first ERROR"), (4, "last ERROR")]
    assert stats.lines == 4


def test_each_matching_pattern_is_reported() -> None:
    hits = list(Scanner(["a", "b", "c"]).scan(io.BytesIO(b"xx\nab\n"), ScanStats()))
    assert [(h.line, h.matched) for h in hits] == [(2, [0, 1])]


def test_timestamps_and_colours_do_not_hide_anchored_patterns() -> None:
    data = b"2024-03-05T10:11:12.1234567Z \x1b[31mFAILED t.py::x\x1b[0m\n"
    hits = list(Scanner(["^FAILED "]).scan(io.BytesIO(data), ScanStats()))
    assert [(h.line, h.text) for h in hits] == [(1, "FAILED t.py::x")]


def test_boilerplate_never_becomes_a_hit() -> None:
    data = b"##[error]Process completed with exit code 1.\nexit code 1 elsewhere\n"
    hits = list(Scanner(["exit code 1"]).scan(io.BytesIO(data), ScanStats()))
    assert [h.line for h in hits] == [2]


def test_a_huge_line_is_cut_for_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "CHUNK_BYTES", 1 << 16)
    monkeypatch.setattr(scan, "MAX_CARRY_BYTES", 1 << 17)
    data = b"ERROR " + b"x" * 300_000 + b"\nERROR two\n"
    hits = list(Scanner(["ERROR"]).scan(io.BytesIO(data), ScanStats()))
    assert hits[0].line == 1
    assert len(hits[0].text) == scan.MAX_LINE_CHARS
    assert (hits[-1].line, hits[-1].text) == (2, "ERROR two")


def test_hostile_input_cannot_make_matching_slow() -> None:
    """A pattern that backtracks exponentially in a backtracking engine stays linear in RE2."""
    hostile = b"a" * 200_000 + b"!\n"
    # With Python's re this would not finish in our lifetime; RE2 answers at once.
    hits = list(Scanner(["(a+)+$", "(a|aa)+b"]).scan(io.BytesIO(hostile), ScanStats()))
    assert hits == []
