"""Log cleaning that keeps every line's original number: ANSI, runner timestamps, markers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# CSI and OSC escape sequences (colours, cursor moves, hyperlinks).
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
# CI services prefix lines with a timestamp: GitHub Actions' ISO one (downloaded logs), the
# bracketed ISO of Jenkins' timestamper and many loggers, Bamboo's `16-Oct-2018 22:00:37 |`.
_TIMESTAMP = re.compile(
    rb"(?m)^(?:\xef\xbb\xbf)?(?:\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}"
    rb"(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?\]? ?"
    rb"|[0-9]{1,2}-[A-Z][a-z]{2}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}\s*\| ?)"
)
# `##[group]Run pytest` -> `Run pytest`; `::error file=a.py::boom` -> `boom`.
_MARKER = re.compile(
    rb"(?m)^(?:##\[(?:group|endgroup|error|warning|notice|debug|command|section)\]"
    rb"|::(?:group|endgroup|error|warning|notice|debug)(?: [^\n:]*)?::)"
)
# Lines that carry no information about the cause; "exit code 137/143" name a signal, so stay.
_BOILERPLATE = re.compile(
    r"^(?:Process completed with exit code (?!13[47]\b|143\b)[0-9]+\.?"
    r"|Post job cleanup\.|Cleaning up orphan processes|Terminate orphan process: .*"
    r"|Evaluate and set job outputs|Set output '.*'|Cleanup temporary directory.*)\s*$"
)


@dataclass(frozen=True, slots=True)
class Line:
    """A cleaned line and its 1-based number in the original file."""

    number: int
    text: str


def clean_chunk(chunk: bytes) -> bytes:
    """Strip colours, runner timestamps and markers from whole lines; newlines are kept."""
    if b"\x1b" in chunk:
        chunk = _ANSI.sub(b"", chunk)
    if _TIMESTAMP.search(chunk, 0, 4096):
        chunk = _TIMESTAMP.sub(b"", chunk)
    if b"##[" in chunk or b"::" in chunk:
        chunk = _MARKER.sub(b"", chunk)
    return chunk.replace(b"\r\n", b"\n") if b"\r" in chunk else chunk


def is_boilerplate(text: str) -> bool:
    """True for runner chatter such as `Process completed with exit code 1.`."""
    return not text.strip() or _BOILERPLATE.match(text) is not None


def decode(raw: bytes) -> str:
    """Decode a log line; logs are mostly UTF-8 but never fail on bytes that are not."""
    return raw.decode("utf-8", "replace").rstrip("\r")


def preprocess(lines: Iterable[str]) -> Iterator[Line]:
    """Clean raw lines one by one, dropping boilerplate but keeping the original numbers."""
    for number, raw in enumerate(lines, start=1):
        text = decode(clean_chunk(raw.rstrip("\n").encode("utf-8", "surrogateescape")))
        if not is_boilerplate(text):
            yield Line(number, text)
