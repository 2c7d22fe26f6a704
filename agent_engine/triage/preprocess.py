"""Log cleaning that keeps every line's original number: ANSI, runner timestamps, markers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# CSI and OSC escape sequences (colours, cursor moves, hyperlinks).
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
# What CI services put in front of a line: a timestamp (GitHub Actions' ISO one in downloaded
# logs, the bracketed ISO of Jenkins' timestamper and many loggers, Bamboo's
# `16-Oct-2018 22:00:37 |`), then a workflow-command marker (`##[error]`, `::group::`).
# Written in the syntax RE2 and Python's re share, so the scanner can match through it.
LINE_PREFIX = (
    "\ufeff?"
    "(?:\\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?"
    "(?:Z|[+-][0-9]{2}:?[0-9]{2})?\\]? ?"
    "|[0-9]{1,2}-[A-Z][a-z]{2}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}[ \\t]*\\| ?)?"
    "(?:##\\[(?:group|endgroup|error|warning|notice|debug|command|section)\\]"
    "|::(?:group|endgroup|error|warning|notice|debug)(?: [^:\\n]*)?::)?"
)
_PREFIX = re.compile(LINE_PREFIX)
# Lines that carry no information about the cause; "exit code 137/143" name a signal, so stay.
# GitHub's web view shows the `##[error]` marker as `Error: ` (logs copied from the page).
_BOILERPLATE = re.compile(
    r"^(?:(?:Error: )?Process completed with exit code (?!13[47]\b|143\b)[0-9]+\.?"
    r"|Post job cleanup\.|Cleaning up orphan processes|Terminate orphan process: .*"
    r"|Evaluate and set job outputs|Set output '.*'|Cleanup temporary directory.*)\s*$"
)


@dataclass(frozen=True, slots=True)
class Line:
    """A cleaned line and its 1-based number in the original file."""

    number: int
    text: str


def clean_chunk(chunk: bytes) -> bytes:
    """Remove colour and cursor escape sequences and CRs before newlines; the newlines stay."""
    if b"\x1b" in chunk:
        chunk = _ANSI.sub(b"", chunk)
    return chunk.replace(b"\r\n", b"\n") if b"\r" in chunk else chunk


def clean_line(text: str) -> str:
    """A line without its CI timestamp and workflow-command marker (colours already gone)."""
    text = text.rstrip("\r\n")
    match = _PREFIX.match(text)
    return text[match.end() :] if match and match.end() else text


def is_boilerplate(text: str) -> bool:
    """True for blank lines and runner chatter such as `Process completed with exit code 1.`."""
    return not text.strip() or _BOILERPLATE.match(text) is not None


def decode(raw: bytes) -> str:
    """Decode and clean a log line; logs are mostly UTF-8 but never fail on other bytes."""
    return clean_line(raw.decode("utf-8", "replace"))


def preprocess(lines: Iterable[str]) -> Iterator[Line]:
    """Clean raw lines one by one, dropping boilerplate but keeping the original numbers."""
    for number, raw in enumerate(lines, start=1):
        text = decode(clean_chunk(raw.encode("utf-8", "surrogateescape")))
        if not is_boilerplate(text):
            yield Line(number, text)


def tolerate_prefix(pattern: str) -> str:
    """Rewrite each `^` anchor of a pattern to also match after a CI line prefix, so raw,
    uncleaned chunks can be searched; `^` inside a character class is left alone."""
    out: list[str] = []
    i, class_start = 0, -1
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if class_start >= 0:
            closes = char == "]" and i > class_start
            class_start = -1 if closes else class_start
        elif char == "[":
            class_start = i + 1 + (pattern[i + 1 : i + 2] == "^")
        elif char == "^":
            char = f"^(?:{LINE_PREFIX})"
        out.append(char)
        i += 1
    return "".join(out)
