"""Failure signatures: the same failure gets the same fingerprint across runs."""

from __future__ import annotations

import hashlib
from typing import Any

import re2

from agent_engine.taxonomy import ErrorType

# RE2, like every pattern that runs over log text: linear time whatever the input.
_MASKS: tuple[tuple[Any, str], ...] = (
    (re2.compile(r"\[REDACTED:[a-z_]+\]"), "<secret>"),
    (re2.compile(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<id>"),
    (re2.compile(r"(?i)\b(?:0x)?[0-9a-f]{7,}\b"), "<id>"),
    (re2.compile(r"(?:[A-Za-z]:)?(?:[\w.@~-]*/)+[\w.@-]+"), "<path>"),
    (
        re2.compile(r"\b[0-9]+(?:\.[0-9]+)?\s?(?:ms|s|sec|seconds?|m|min|minutes?|h)\b"),
        "<duration>",
    ),
    (re2.compile(r"[0-9]+"), "<n>"),
    (re2.compile(r"\s+"), " "),
)


def normalise(text: str) -> str:
    """A key line with the parts that vary between runs masked (ids, paths, timings, numbers)."""
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text.strip()


def signature(error_type: ErrorType, key_line: str) -> str:
    """A stable fingerprint: the same failure gets the same signature across runs."""
    digest = hashlib.sha256(f"{error_type.value}\n{normalise(key_line)}".encode()).hexdigest()
    return f"{error_type.value}:{digest[:16]}"
