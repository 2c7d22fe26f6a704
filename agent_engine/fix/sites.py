"""Where a failing locator stands in the source, found by meaning with `ast`: written in one
expression, built in steps through variables of the test function, or from f-strings; and the
edits that heal it there, as small as the heal: an argument, or the literal part of an
f-string, replaced byte for byte around it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from agent_engine.fix.locators import METHODS, PROPERTIES, LocatorError, Step, render
from agent_engine.fix.worktree import git
from agent_engine.settings import GuardrailPolicy

_MAX_DEPTH = 4  # variables built from variables, at most this deep


@dataclass(frozen=True, slots=True)
class Site:
    """Bytes of a file to replace: a whole locator expression (after its receiver), or one of
    its arguments."""

    file: str
    first_line: int
    last_line: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Template:
    """An f-string argument: its literal parts, with None where a value is filled in."""

    parts: tuple[str | None, ...]

    def pattern(self) -> re.Pattern[str]:
        return re.compile("".join(re.escape(p) if p is not None else "(.+?)" for p in self.parts))


@dataclass(frozen=True, slots=True)
class Part:
    """One step of a locator as written, and the call it was read from (None: `.first`)."""

    step: Step
    call: ast.Call | None


@dataclass(frozen=True, slots=True)
class Use:
    """A place that builds the locator: its steps (the first ones may come from variables),
    the expression written there and the bytes after its receiver."""

    file: str
    parts: tuple[Part, ...]
    own: int  # how many of the last parts are written in this expression
    site: Site

    def fits(self, wanted: Sequence[Step]) -> bool:
        if len(self.parts) != len(wanted):
            return False
        return all(_same_step(p.step, w) for p, w in zip(self.parts, wanted, strict=True))


def _same_step(have: Step, wanted: Step) -> bool:
    if have.method != wanted.method or len(have.args) != len(wanted.args):
        return False
    if sorted(k for k, _ in have.kwargs) != sorted(k for k, _ in wanted.kwargs):
        return False
    pairs = [*zip(have.args, wanted.args, strict=True)]
    pairs += [(v, wanted.kw(k)) for k, v in have.kwargs]
    return all(_same_value(h, w) for h, w in pairs)


def _same_value(have: Any, wanted: Any) -> bool:
    if isinstance(have, Template):
        return isinstance(wanted, str) and have.pattern().fullmatch(wanted) is not None
    return bool(have == wanted)


def _value(node: ast.expr) -> Any:
    if isinstance(node, ast.JoinedStr):
        parts: list[str | None] = []
        for piece in node.values:
            if isinstance(piece, ast.Constant) and isinstance(piece.value, str):
                parts.append(piece.value)
            elif isinstance(piece, ast.FormattedValue):
                parts.append(None)
            else:
                raise LocatorError("an f-string part that is neither text nor a value")
        return Template(tuple(parts))
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise LocatorError(f"not a literal: {ast.unparse(node)!r}") from exc


def _parts(node: ast.expr) -> tuple[list[Part], ast.expr]:
    """The locator steps written in `node`, first first, and the receiver they are called on."""
    parts: list[Part] = []
    while True:
        if isinstance(node, ast.Attribute) and node.attr in PROPERTIES:
            parts.append(Part(Step(node.attr), None))
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in METHODS
        ):
            step = Step(
                node.func.attr,
                tuple(_value(a) for a in node.args),
                tuple((k.arg or "", _value(k.value)) for k in node.keywords),
            )
            parts.append(Part(step, node))
            node = node.func.value
        else:
            return list(reversed(parts)), node


class _Scope:
    """The simple assignments of one function (`name = <expression>`), by line."""

    def __init__(self, function: ast.AST | None) -> None:
        self.assigned: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in ast.walk(function) if function is not None else ():
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.assigned.setdefault(node.targets[0].id, []).append((node.lineno, node.value))

    def value(self, name: str, line: int) -> ast.expr | None:
        before = [v for n, v in self.assigned.get(name, []) if n < line]
        return before[-1] if before else None

    def steps(self, node: ast.expr, depth: int = 0) -> list[Part] | None:
        """All the steps of `node`, those of the variables it starts from first."""
        parts, receiver = _parts(node)
        if not parts:
            return None
        if isinstance(receiver, ast.Name) and depth < _MAX_DEPTH:
            value = self.value(receiver.id, node.lineno)
            earlier = self.steps(value, depth + 1) if value is not None else None
            if earlier:
                return earlier + parts
        return parts


def _starts(source: bytes) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _span(file: str, source: bytes, starts: list[int], node: ast.AST) -> Site:
    start = starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
    end_line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
    end = starts[end_line - 1] + (node.end_col_offset or 0)  # type: ignore[attr-defined]
    text = source[start:end].decode("utf-8", "replace")
    return Site(file, node.lineno, end_line, start, end, text)  # type: ignore[attr-defined]


def _functions(tree: ast.AST) -> Iterator[ast.AST | None]:
    yield None
    yield from (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def uses(file: str, source: bytes) -> list[Use]:
    """Every expression in `source` that builds a locator, with its steps."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    starts = _starts(source)
    found: dict[tuple[int, int], Use] = {}
    for function in _functions(tree):
        scope = _Scope(function)
        body = ast.walk(function) if function is not None else ast.walk(tree)
        for node in body:
            if not isinstance(node, ast.Call | ast.Attribute):
                continue
            try:
                own, receiver = _parts(node)
                parts = scope.steps(node) if own else None
            except LocatorError:
                continue
            end_line = getattr(receiver, "end_lineno", None)
            if not parts or end_line is None:
                continue
            begin = starts[end_line - 1] + (receiver.end_col_offset or 0)
            whole = _span(file, source, starts, node)
            while begin < whole.end and source[begin : begin + 1] in b" \t\r\n.\\":
                begin += 1
            text = source[begin : whole.end].decode("utf-8", "replace")
            site = Site(file, node.lineno, whole.last_line, begin, whole.end, text)
            # a use inside a function is read with that function's variables
            if function is not None or (begin, whole.end) not in found:
                found[(begin, whole.end)] = Use(file, tuple(parts), len(own), site)
    return sorted(found.values(), key=lambda u: u.site.start)


def find_sites(file: str, source: bytes, wanted: Sequence[Step]) -> list[Site]:
    """Every place in `source` where the locator `wanted` is built."""
    return [u.site for u in uses(file, source) if u.fits(wanted)]


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
) -> list[Use]:
    """Where the failing test builds the locator: every place in its function (the same
    element used twice is healed in both); else in one allowed file (a page object)."""
    path = tree / file
    source = path.read_bytes() if file and path.is_file() else b""
    found = [u for u in uses(file, source) if u.fits(base)]
    if line is not None:
        span = enclosing_function(source, line)
        inside = (
            [u for u in found if span[0] <= u.site.first_line <= span[1]]
            if span
            else [u for u in found if u.site.first_line <= line <= u.site.last_line]
        )
        if inside:
            return inside
    elsewhere = []
    for other in git(["ls-files", "*.py"], tree).splitlines():
        if other != file and any(fnmatch(other, g) for g in policy.allowed):
            elsewhere += [u for u in uses(other, (tree / other).read_bytes()) if u.fits(base)]
    return elsewhere if len(elsewhere) == 1 else []


def edits(use: Use, source: bytes, old: list[Step], new: list[Step]) -> list[tuple[Site, str]]:
    """The edits that turn `old` (as the failure printed it) into `new` where `use` builds
    it: the changed arguments when only arguments change, else the whole expression when it
    is written in one place with plain literals. A LocatorError says why it cannot be done."""
    same_shape = len(old) == len(new) and all(
        (o.method, len(o.args), sorted(k for k, _ in o.kwargs))
        == (n.method, len(n.args), sorted(k for k, _ in n.kwargs))
        for o, n in zip(old, new, strict=True)
    )
    if not same_shape:
        values = [v for p in use.parts for v in (*p.step.args, *dict(p.step.kwargs).values())]
        templated = any(isinstance(v, Template) for v in values)
        if use.own != len(use.parts) or templated:
            raise LocatorError(
                "the heal rewrites the locator's form, and here it is built from variables or "
                "f-strings: only its literal text can be edited"
            )
        return [(use.site, render(new))]
    starts = _starts(source)
    changes = []
    for part, o, n in zip(use.parts, old, new, strict=True):
        if o == n:
            continue
        if part.call is None:  # pragma: no cover - properties have no arguments
            continue
        nodes = [*zip(part.call.args, o.args, n.args, strict=True)]
        nodes += [(k.value, o.kw(k.arg or ""), n.kw(k.arg or "")) for k in part.call.keywords]
        for node, before, after in nodes:
            if before != after:
                site = _span(use.file, source, starts, node)
                changes.append((site, _rewrite(node, site.text, before, after)))
    return changes


def _rewrite(node: ast.expr, text: str, before: Any, after: Any) -> str:
    """The new source of one argument."""
    if isinstance(node, ast.JoinedStr):
        return _rewrite_fstring(text, _value(node), str(before), str(after))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        quote = text[:1]
        if quote not in "\"'" or text.startswith(quote * 3):
            return repr(after)
        return _quoted(str(after), quote) or repr(after)
    return repr(after)


def _quoted(value: str, quote: str) -> str:
    if "\\" in value or "\n" in value:
        return ""
    if quote not in value:
        return f"{quote}{value}{quote}"
    other = "'" if quote == '"' else '"'
    return f"{other}{value}{other}" if other not in value else ""


def _rewrite_fstring(text: str, template: Template, before: str, after: str) -> str:
    """Change the literal parts of an f-string as the heal changed the text; the values it
    fills in stay as they are (a change that touches one is refused)."""
    match = template.pattern().fullmatch(before)
    if match is None:  # pragma: no cover - the use was matched by this pattern
        raise LocatorError("the f-string no longer matches the failing locator")
    holes = [match.span(i) for i in range(1, (match.lastindex or 0) + 1)]
    # where each literal part stands in the failing text
    pieces: list[tuple[int, str]] = []
    offset, spans = 0, iter(holes)
    for piece in template.parts:
        if piece is None:
            offset = next(spans)[1]
        else:
            pieces.append((offset, piece))
            offset += len(piece)
    changed = dict(pieces)
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in reversed(opcodes):
        if op == "equal":
            continue
        home = [s for s, p in pieces if s <= i1 and i2 <= s + len(p)]
        if not home or any((s < i2 and i1 < e) or s < i1 < e for s, e in holes):
            raise LocatorError("the heal changes the part of the f-string filled in at run time")
        s = home[-1] if i1 == i2 else home[0]
        piece = changed[s]
        changed[s] = piece[: i1 - s] + after[j1:j2] + piece[i2 - s :]
    values = iter(match.groups())
    rebuilt = "".join(
        next(values) if p is None else changed[s]
        for p, s in zip(template.parts, _starts_of(template, pieces), strict=True)
    )
    if rebuilt != after:  # pragma: no cover - a safety net for the alignment above
        raise LocatorError("the f-string cannot be edited to give the healed locator")
    result = text
    for start, piece in pieces:
        if changed[start] != piece:
            old_src, new_src = _escaped(piece, text), _escaped(changed[start], text)
            if result.count(old_src) != 1:
                raise LocatorError("the f-string's literal part cannot be edited in place")
            result = result.replace(old_src, new_src)
    return result


def _starts_of(template: Template, pieces: list[tuple[int, str]]) -> list[int]:
    starts = iter(s for s, _ in pieces)
    return [-1 if p is None else next(starts) for p in template.parts]


def _escaped(piece: str, text: str) -> str:
    quote = text.lstrip("fFrR")[:1]
    if "\\" in piece or "\n" in piece or quote in piece:
        raise LocatorError("the f-string's literal part has escapes or quotes")
    return piece.replace("{", "{{").replace("}", "}}")


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
