"""One-pass, bounded-memory matching of many patterns over a log of any size."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, cast

import re2

from agent_engine.files import write_atomic
from agent_engine.triage.preprocess import clean_chunk, decode, is_boilerplate, tolerate_prefix
from agent_engine.triage.rules import OPTIONS

if TYPE_CHECKING:
    from hyperscan import Database

CHUNK_BYTES = 1 << 20  # small enough to stay in cache between cleaning and matching
MAX_LINE_CHARS = 4000  # longer lines are cut for matching and evidence
MAX_CARRY_BYTES = 16 << 20  # a "line" longer than this is matched in pieces
KEPT_DATABASES = 32  # compiled Hyperscan databases kept in the cache folder

Engine = Literal["auto", "re2", "hyperscan"]
# What finds candidate lines when a Scanner is not told: `auto` is Hyperscan where it loads
# and takes every pattern, RE2 otherwise.
ENGINE: Engine = "auto"

# Hyperscan reads bytes, RE2 reads UTF-8: where RE2 matches one character, the Hyperscan
# expression matches its first byte and any continuation bytes, so it finds all RE2 does.
_TAIL = r"[\x80-\xbf]*"
_SPACE = r"\t\n\f\r "  # RE2's \s; Hyperscan's also has \v
_ESCAPES = {
    "S": f"(?:[^{_SPACE}]{_TAIL})",
    "W": f"(?:\\W{_TAIL})",
    "D": f"(?:\\D{_TAIL})",
    "v": r"\x0b",
}
_KEPT_ESCAPES = frozenset("dwsbBAztnrfa")
_CLASS_ESCAPES = {"s": _SPACE, "v": r"\x0b"}
_KEPT_CLASS_ESCAPES = frozenset("dwtnrfa")
_REPEAT = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")


def _search_options() -> re2.Options:
    """The rules' options without capturing groups: only where a match starts is needed,
    and RE2 finds that many times faster than the spans of hundreds of groups."""
    options = re2.Options()
    for name in re2.Options.NAMES:
        setattr(options, name, getattr(OPTIONS, name))
    options.never_capture = True
    return options


_SEARCH_OPTIONS = _search_options()


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
    """Finds every line matching any of `patterns` (RE2: linear time, no catastrophic input;
    Hyperscan, where it loads, only finds candidate lines faster: RE2 has the last word)."""

    def __init__(
        self,
        patterns: Sequence[str],
        context: int = 3,
        engine: Engine | None = None,
        only_with_others: Collection[int] = (),
    ) -> None:
        """`engine`: what finds candidate lines (default `ENGINE`); `hyperscan` raises
        RuntimeError where Hyperscan cannot be used, `auto` then falls back to RE2.
        `only_with_others`: indices of patterns that never make a line a hit by themselves,
        only beside another pattern (a rule saying what a line is not: a passing test's line
        is common, and looking at each would cost the scan its speed)."""
        # The combined search runs on raw chunks (only colours removed), so anchors must
        # tolerate a timestamp prefix; the set of exact patterns then runs on the clean line.
        self._only_with = frozenset(only_with_others)
        finding = [p for i, p in enumerate(patterns) if i not in self._only_with]
        prefixed = tuple(tolerate_prefix(p) for p in finding)
        joined = "|".join(f"(?:{p})" for p in prefixed) or r"[^\s\S]"  # none: no line
        self._any = re2.compile(f"(?m){joined}".encode(), _SEARCH_OPTIONS)
        self._set = re2.Set.SearchSet(OPTIONS)
        for pattern in patterns:
            self._set.Add(pattern)
        self._set.Compile()
        self._context = context
        self._database: Database | None = None
        self.engine, self.engine_note = "re2", ""
        engine = engine or ENGINE
        if engine != "re2" and prefixed:
            self._database, self.engine_note = _hyperscan_database(prefixed)
            if self._database is not None:
                self.engine = "hyperscan"
            elif engine == "hyperscan":
                raise RuntimeError(self.engine_note)

    def scan(self, stream: BinaryIO, stats: ScanStats) -> Iterator[Hit]:
        """Yield hits in line order; each hit's after-context is complete when yielded."""
        line_base, carry = 1, b""
        recent: deque[tuple[int, str]] = deque(maxlen=self._context)
        pending: list[Hit] = []
        lines = self._re2_lines if self._database is None else _hyperscan_lines(self._database)
        while True:
            block = stream.read(CHUNK_BYTES)
            stats.bytes += len(block)
            cut = block.rfind(b"\n") + 1
            if block and cut == 0 and len(carry) + len(block) < MAX_CARRY_BYTES:
                carry += block  # no complete line yet
                continue
            cut = cut or len(block)
            chunk = clean_chunk(carry + memoryview(block)[:cut])
            carry = block[cut:]
            yield from self._complete(pending, chunk, line_base)
            pending = [hit for hit in pending if hit.missing_after]
            for hit in self._hits(chunk, line_base, recent, lines):
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

    def _hits(
        self,
        chunk: bytes,
        line_base: int,
        recent: deque[tuple[int, str]],
        lines: Callable[[bytes], Iterator[tuple[int, int]]],
    ) -> Iterator[Hit]:
        counted, line = 0, line_base
        for start, end in lines(chunk):
            line += chunk.count(b"\n", counted, start)
            counted = start
            text = decode(chunk[start:end])[:MAX_LINE_CHARS]
            matched = self._set.Match(text)
            if (
                matched
                and not self._only_with.issuperset(matched)
                and not is_boilerplate(text)
                and self._confirmed(chunk, start, end)
            ):
                before = _lines_before(chunk, start, line, self._context, recent)
                after = _lines_after(chunk, end, line, self._context)
                yield Hit(line, text, sorted(matched), before, after, self._context - len(after))

    def _re2_lines(self, chunk: bytes) -> Iterator[tuple[int, int]]:
        """The (start, end) of each line where the combined pattern matches."""
        pos = 0
        while (match := self._any.search(chunk, pos)) is not None:
            start = chunk.rfind(b"\n", 0, match.start()) + 1
            end = chunk.find(b"\n", match.start())
            end = len(chunk) if end < 0 else end
            yield start, end
            pos = end + 1
            if pos >= len(chunk):
                return

    def _confirmed(self, chunk: bytes, start: int, end: int) -> bool:
        """Whether the combined RE2 pattern matches in this line, as `_re2_lines` would find:
        true of every line it gives, checked for Hyperscan's."""
        return self._database is None or self._any.search(chunk, start, end) is not None

    def _complete(self, pending: list[Hit], chunk: bytes, line_base: int) -> Iterator[Hit]:
        """Fill the after-context of hits from the previous chunk with this chunk's head."""
        for hit in pending:
            head = _lines_after(chunk, -1, line_base - 1, hit.missing_after)
            hit.after.extend(head)
            hit.missing_after -= len(head)
            if not hit.missing_after or not chunk:
                hit.missing_after = 0
                yield hit


NEWLINE = ord("\n")


def _hyperscan_lines(database: Database) -> Callable[[bytes], Iterator[tuple[int, int]]]:
    """For one scan, a finder of lines like `Scanner._re2_lines` that may give more lines.
    Hyperscan reports matches in the order of their ends and stops at the first: no line
    before that match's line can match; the next search starts on the line after it."""
    import hyperscan  # noqa: PLC0415 (loaded with the database)

    scratch = hyperscan.Scratch(database)  # a scan's own: scans may run in threads
    ends: list[int] = []

    def first(_id: int, _start: int, end: int, _flags: int, _context: object) -> bool:
        ends.append(end)
        return True

    def lines(chunk: bytes) -> Iterator[tuple[int, int]]:
        view, pos = memoryview(chunk), 0
        while True:
            rest = cast("bytes", view[pos:])  # any buffer will do, the stub says bytes
            with contextlib.suppress(hyperscan.ScanTerminated):
                database.scan(rest, match_event_handler=first, scratch=scratch)
            if not ends:
                return
            at = pos + ends.pop()
            if at > pos and chunk[at - 1] == NEWLINE:  # `[^,]` or `\s` took the line's newline
                at -= 1
            start = chunk.rfind(b"\n", 0, at) + 1
            end = chunk.find(b"\n", start)
            end = len(chunk) if end < 0 else end
            yield start, end
            pos = end + 1
            if pos >= len(chunk):
                return

    return lines


def _hyperscan_database(patterns: tuple[str, ...]) -> tuple[Database | None, str]:
    """Hyperscan's database of RE2 `patterns` and its version, or None and why not."""
    try:
        import hyperscan  # noqa: PLC0415 (optional: x86 wheels only)
    except (ImportError, OSError) as exc:
        return None, f"hyperscan unavailable: {exc}"
    return _compiled(patterns, hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_ALLOWEMPTY)


def cache_dir() -> Path:
    """Where compiled databases are kept between processes: `AGENT_ENGINE_CACHE_DIR`, else
    `$XDG_CACHE_HOME/agent-engine`, else `~/.cache/agent-engine`."""
    chosen = os.environ.get("AGENT_ENGINE_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agent-engine"


@functools.lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...], flags: int) -> tuple[Database | None, str]:
    """Compiled once per process and kept on disk (compiling the rules takes about a second,
    loading them a millisecond); a cached file that does not load is compiled again."""
    import hyperscan  # noqa: PLC0415

    expressions = [e for e in map(hyperscan_expression, patterns) if e is not None]
    if not patterns or len(expressions) < len(patterns):
        return None, "hyperscan does not take every pattern"
    key = hashlib.sha256(
        b"\0".join([metadata.version("hyperscan").encode(), str(flags).encode(), *expressions])
    ).hexdigest()[:32]
    cached = cache_dir() / f"hyperscan-{key}.db"
    database = _load(cached)
    if database is None:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            database.compile(
                expressions=expressions,
                ids=list(range(len(expressions))),
                elements=len(expressions),
                flags=flags,
            )
        except hyperscan.error as exc:
            return None, f"hyperscan does not take every pattern: {exc}"
        with contextlib.suppress(OSError):  # a read-only home: compiled each time
            write_atomic(cached, hyperscan.dumpb(database))
            _prune(cached.parent)
    version = re.search(r"[0-9][0-9.]*", str(database.info()))
    return database, f"hyperscan {version.group() if version else ''}".strip()


def _prune(folder: Path) -> None:
    """Keep the most recently written databases only (rule sets change)."""
    kept = sorted(folder.glob("hyperscan-*.db"), key=lambda p: -p.stat().st_mtime)
    for old in kept[KEPT_DATABASES:]:
        old.unlink(missing_ok=True)


def _load(path: Path) -> Database | None:
    import hyperscan  # noqa: PLC0415

    try:
        database = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        hyperscan.Scratch(database)  # a database that loads but cannot scan is not kept
    except (OSError, hyperscan.error):
        return None
    return database


def hyperscan_expression(pattern: str) -> bytes | None:
    """An RE2 pattern as a Hyperscan expression over bytes that matches wherever the pattern
    does (and maybe more), or None for syntax outside the part translated here."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char, piece = pattern[i], pattern[i + 1 : i + 2]
        if char == "\\":
            if piece in _ESCAPES:
                out.append(_ESCAPES[piece])
            elif piece and (piece in _KEPT_ESCAPES or _punctuation(piece)):
                out.append(char + piece)
            else:
                return None
            i += 2
            continue
        if char == "[":
            found = _hyperscan_class(pattern, i)
            if found is None:
                return None
            piece, i = found
            out.append(piece)
            continue
        if char == "(" and piece == "?":
            group = re.match(r"\(\?(?::|P?<[A-Za-z0-9_]+>)", pattern[i:])
            if group is None:
                return None  # flags: (?i), (?s), ...
            out.append("(?:")
            i += len(group.group())
            continue
        repeat = _REPEAT.match(pattern, i) if char == "{" else None
        if repeat:
            out.append(repeat.group())
            i = repeat.end()
            continue
        out.append(_literal(char))
        i += 1
    return "".join(out).encode()


def _hyperscan_class(pattern: str, i: int) -> tuple[str, int] | None:
    """The character class opening at `pattern[i]` as a Hyperscan expression over bytes,
    and where the class ends; None for a class with characters outside ASCII."""
    j = i + 1
    negated = pattern.startswith("^", j)
    j += negated
    members: list[str] = []
    while j < len(pattern) and (pattern[j] != "]" or not members):
        char, piece = pattern[j], pattern[j + 1 : j + 2]
        if char == "\\" and piece in _CLASS_ESCAPES:
            members.append(_CLASS_ESCAPES[piece])
        elif char == "\\" and piece and (piece in _KEPT_CLASS_ESCAPES or _punctuation(piece)):
            members.append(char + piece)
        elif char == "\\" or not char.isascii() or pattern.startswith("[:", j):
            return None
        else:
            members.append(char)
            j += 1
            continue
        j += 2
    if j >= len(pattern):
        return None
    body = f"[{'^' if negated else ''}{''.join(members)}]"
    return (f"(?:{body}{_TAIL})" if negated else body), j + 1


def _punctuation(char: str) -> bool:
    return char.isascii() and not char.isalnum() and char != "\n"


def _literal(char: str) -> str:
    """A pattern character outside classes: `.` widened like a class, `{` that opens no
    repeat escaped (a literal in RE2), characters outside ASCII as their UTF-8 bytes."""
    if char == ".":
        return f"(?:.{_TAIL})"
    if char == "{":
        return "\\{"
    if char.isascii():
        return char
    return "(?:" + "".join(f"\\x{byte:02x}" for byte in char.encode()) + ")"


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
    found: list[bytes] = []
    end = len(chunk) - chunk.endswith(b"\n") or -1
    while len(found) < count and end >= 0:
        begin = chunk.rfind(b"\n", 0, end) + 1
        found.append(chunk[begin:end])
        end = begin - 1
    first = next_line - len(found)
    return [(first + i, decode(raw)[:MAX_LINE_CHARS]) for i, raw in enumerate(reversed(found))]
