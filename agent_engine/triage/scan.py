"""One-pass, bounded-memory matching of many patterns over a log of any size."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import re2

from agent_engine.triage.preprocess import clean_chunk, decode, is_boilerplate, tolerate_prefix
from agent_engine.triage.rules import OPTIONS

CHUNK_BYTES = 4 << 20
MAX_LINE_CHARS = 4000  # longer lines are cut for matching and evidence
MAX_CARRY_BYTES = 16 << 20  # a "line" longer than this is matched in pieces


@dataclass(slots=True)
class Hit:
    """A cleaned line that matched at least one pattern, with its neighbours."""

    line: int
    text: str
    matched: list[int]
    before: list[tuple[int, str]]
    after: list[tuple[int, str]] = field(default_factory=list)
    missing_after: int = 0


@dataclass(slots=True)
class ScanStats:
    lines: int = 0
    bytes: int = 0


class Scanner:
    """Finds every line matching any of `patterns` (RE2: linear time, no catastrophic input)."""

    def __init__(self, patterns: Sequence[str], context: int = 3) -> None:
        # The combined search runs on raw chunks (only colours removed), so anchors must
        # tolerate a timestamp prefix; the set of exact patterns then runs on the clean line.
        joined = "|".join(f"(?:{tolerate_prefix(p)})" for p in patterns)
        self._any = re2.compile(f"(?m){joined}".encode(), OPTIONS)
        self._set = re2.Set.SearchSet(OPTIONS)
        for pattern in patterns:
            self._set.Add(pattern)
        self._set.Compile()
        self._context = context

    def scan(self, stream: BinaryIO, stats: ScanStats) -> Iterator[Hit]:
        """Yield hits in line order; each hit's after-context is complete when yielded."""
        line_base, carry = 1, b""
        recent: deque[tuple[int, str]] = deque(maxlen=self._context)
        pending: list[Hit] = []
        while True:
            block = stream.read(CHUNK_BYTES)
            stats.bytes += len(block)
            data = carry + block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            if block and cut == 0 and len(data) < MAX_CARRY_BYTES:
                carry = data  # no complete line yet
                continue
            chunk, carry = (data[:cut], data[cut:]) if cut else (data, b"")
            chunk = clean_chunk(chunk)
            yield from self._complete(pending, chunk, line_base)
            pending = [hit for hit in pending if hit.missing_after]
            for hit in self._hits(chunk, line_base, recent):
                if hit.missing_after:
                    pending.append(hit)  # its after-context starts in the next chunk
                else:
                    yield hit
            line_base += chunk.count(b"\n")
            recent.extend(_last_lines(chunk, line_base, self._context))
            if not block:
                ends_line = chunk.endswith(b"\n") or not chunk
                stats.lines += line_base - 1 if ends_line else line_base
                yield from pending
                return

    def _hits(self, chunk: bytes, line_base: int, recent: deque[tuple[int, str]]) -> Iterator[Hit]:
        pos, counted, line = 0, 0, line_base
        while (match := self._any.search(chunk, pos)) is not None:
            start = chunk.rfind(b"\n", 0, match.start()) + 1
            end = chunk.find(b"\n", match.start())
            end = len(chunk) if end < 0 else end
            line += chunk.count(b"\n", counted, start)
            counted, pos = start, end + 1
            text = decode(chunk[start:end])[:MAX_LINE_CHARS]
            matched = self._set.Match(text)
            if matched and not is_boilerplate(text):
                before = _lines_before(chunk, start, line, self._context, recent)
                after = _lines_after(chunk, end, line, self._context)
                yield Hit(line, text, sorted(matched), before, after, self._context - len(after))
            if pos >= len(chunk):
                return

    def _complete(self, pending: list[Hit], chunk: bytes, line_base: int) -> Iterator[Hit]:
        """Fill the after-context of hits from the previous chunk with this chunk's head."""
        for hit in pending:
            head = _lines_after(chunk, -1, line_base - 1, hit.missing_after)
            hit.after.extend(head)
            hit.missing_after -= len(head)
            if not hit.missing_after or not chunk:
                hit.missing_after = 0
                yield hit


def _lines_before(
    chunk: bytes, start: int, line: int, count: int, recent: deque[tuple[int, str]]
) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    end = start - 1
    while len(found) < count and end >= 0:
        begin = chunk.rfind(b"\n", 0, end) + 1
        found.append((line - len(found) - 1, decode(chunk[begin:end])[:MAX_LINE_CHARS]))
        end = begin - 1
    missing = count - len(found)
    older = list(recent)[-missing:] if missing and line - len(found) > 1 else []
    return [*older, *reversed(found)]


def _lines_after(chunk: bytes, end: int, line: int, count: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    begin = end + 1
    while len(found) < count and begin < len(chunk):
        stop = chunk.find(b"\n", begin)
        stop = len(chunk) if stop < 0 else stop
        found.append((line + len(found) + 1, decode(chunk[begin:stop])[:MAX_LINE_CHARS]))
        begin = stop + 1
    return found


def _last_lines(chunk: bytes, next_line: int, count: int) -> list[tuple[int, str]]:
    body = chunk[:-1] if chunk.endswith(b"\n") else chunk
    lines = body.rsplit(b"\n", count)[-count:] if body else []
    first = next_line - len(lines)
    return [(first + i, decode(raw)[:MAX_LINE_CHARS]) for i, raw in enumerate(lines)]
