"""Cleaning: colours, CI timestamps and markers go; line numbers stay."""

from __future__ import annotations

import re

import pytest

from agent_engine.triage.preprocess import (
    Line,
    clean_chunk,
    clean_line,
    is_boilerplate,
    preprocess,
    tolerate_prefix,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("2024-03-05T10:11:12.1234567Z E   AssertionError", "E   AssertionError"),
        ("\ufeff2024-03-05T10:11:12.1234567Z ##[group]Run pytest", "Run pytest"),
        ("2024-03-05T10:11:12.1234567Z ##[error]boom", "boom"),
        ("[2024-02-06T15:34:25.740Z] ['error'] upload", "['error'] upload"),
        ("16-Oct-2018 22:00:37 | E   SyntaxError", "E   SyntaxError"),
        ("2024-01-01 10:00:00,123 ERROR django.request", "ERROR django.request"),
        ("::error file=app.py,line=3::bad thing", "bad thing"),
        ("::group::Install", "Install"),
        ("plain line\r\n", "plain line"),
        ("E   a 2024-03-05T10:11:12Z inside", "E   a 2024-03-05T10:11:12Z inside"),
    ],
)
def test_clean_line(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean


def test_colours_and_cursor_codes_go_but_newlines_stay() -> None:
    raw = b"\x1b[1m\x1b[31mE   boom\x1b[0m\n\x1b]8;;http://x\x07link\x1b]8;;\x07\n\x1b[2Kdone\n"
    assert clean_chunk(raw) == b"E   boom\nlink\ndone\n"


@pytest.mark.parametrize(
    ("text", "boring"),
    [
        ("Process completed with exit code 1.", True),
        ("Process completed with exit code 2", True),
        ("Error: Process completed with exit code 1.", True),  # as GitHub's web view shows it
        ("Error: Process completed with exit code 137.", False),
        ("Process completed with exit code 137.", False),
        ("Process completed with exit code 143.", False),
        ("Post job cleanup.", True),
        ("   ", True),
        ("E   AssertionError", False),
    ],
)
def test_boilerplate(text: str, boring: bool) -> None:
    assert is_boilerplate(text) is boring


def test_preprocess_keeps_original_line_numbers() -> None:
    raw = [
        "2024-03-05T10:11:12.1Z ##[group]Run pytest\n",
        "2024-03-05T10:11:12.2Z \x1b[31mE   boom\x1b[0m\n",
        "2024-03-05T10:11:12.3Z ##[endgroup]\n",
        "2024-03-05T10:11:12.4Z ##[error]Process completed with exit code 1.\n",
        "2024-03-05T10:11:12.5Z after\n",
    ]
    assert list(preprocess(raw)) == [Line(1, "Run pytest"), Line(2, "E   boom"), Line(5, "after")]


@pytest.mark.parametrize(
    ("pattern", "kept"),
    [("[^^]x", "[^^]x"), ("[]^]x", "[]^]x"), (r"\^x", r"\^x"), ("a[^b]c", "a[^b]c")],
)
def test_carets_that_are_not_anchors_are_left_alone(pattern: str, kept: str) -> None:
    assert tolerate_prefix(pattern) == kept


def test_anchors_tolerate_a_prefix() -> None:
    rewritten = re.compile(tolerate_prefix("(^FAILED |^ERROR )x"))
    assert rewritten.match("2024-03-05T10:11:12.1234567Z FAILED x")
    assert rewritten.match("ERROR x")
    assert not rewritten.match("note: FAILED x")
