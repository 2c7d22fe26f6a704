"""Where a failing locator stands in the source: found by meaning with `ast` (quotes, line
breaks and chains do not matter), and replaced in place, byte for byte around it."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from agent_engine.fix.locators import LocatorError, Step, chain
from agent_engine.fix.worktree import git
from agent_engine.settings import GuardrailPolicy


@dataclass(frozen=True, slots=True)
class Site:
    """A locator expression in a file: its lines and the bytes to replace (after the receiver)."""

    file: str
    first_line: int
    last_line: int
    start: int
    end: int
    text: str


def _key(steps: Sequence[Step]) -> list[tuple[str, tuple[Any, ...], tuple[Any, ...]]]:
    return [(s.method, s.args, tuple(sorted(s.kwargs))) for s in steps]


def find_sites(file: str, source: bytes, wanted: Sequence[Step]) -> list[Site]:
    """Every place in `source` where the locator `wanted` is built on a page or fixture."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    key, found = _key(wanted), []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call | ast.Attribute):
            continue
        try:
            steps, receiver = chain(node)
        except LocatorError:
            continue
        end_line = getattr(receiver, "end_lineno", None)
        if not steps or _key(steps) != key or end_line is None:
            continue
        begin = starts[end_line - 1] + (receiver.end_col_offset or 0)
        end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        while begin < end and source[begin : begin + 1] in b" \t\r\n.\\":
            begin += 1
        text = source[begin:end].decode("utf-8", "replace")
        found.append(Site(file, node.lineno, node.end_lineno or node.lineno, begin, end, text))
    return sorted(found, key=lambda s: s.start)


def enclosing_function(source: bytes, line: int) -> tuple[int, int] | None:
    """The lines of the innermost function around `line`."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    spans = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    return max(spans, default=None)


def locate(
    tree: Path, file: str, line: int | None, base: list[Step], policy: GuardrailPolicy
) -> list[Site]:
    """Where the failing test builds the locator: on the failing line; else earlier in the
    same function (a variable); else in one allowed file (a page object)."""
    path = tree / file
    source = path.read_bytes() if file and path.is_file() else b""
    sites = find_sites(file, source, base)
    if line is not None:
        on_line = [s for s in sites if s.first_line <= line <= s.last_line]
        if on_line:
            return on_line
        span = enclosing_function(source, line)
        before = [s for s in sites if span and span[0] <= s.first_line and s.last_line < line]
        if before:
            return before[-1:]
    elsewhere = []
    for other in git(["ls-files", "*.py"], tree).splitlines():
        if other != file and any(fnmatch(other, g) for g in policy.allowed):
            elsewhere += find_sites(other, (tree / other).read_bytes(), base)
    return elsewhere if len(elsewhere) == 1 else []


def write_edits(tree: Path, edits: list[tuple[Site, str]]) -> None:
    """Replace each site's bytes with its new text, last first so earlier offsets stay right."""
    for file in sorted({site.file for site, _ in edits}):
        path = tree / file
        data = path.read_bytes()
        for site, after in sorted(
            (e for e in edits if e[0].file == file), key=lambda e: -e[0].start
        ):
            data = data[: site.start] + after.encode() + data[site.end :]
        path.write_bytes(data)
