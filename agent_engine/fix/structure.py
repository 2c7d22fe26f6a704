"""What a patch changes in the structure of Python code: each file is parsed before and after
and the trees are compared (spec/self-heal-and-fix.md, "never a weaker test"). Line patterns
cannot judge a patch: a skip has many spellings, an assertion can be emptied or wrapped."""

from __future__ import annotations

import ast
import builtins
import copy
import difflib
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

# A locator-building step: its method, how many positional arguments it takes, the keywords.
_TEXT = frozenset({"exact"})
_HAS = frozenset({"has_text", "has_not_text", "has", "has_not"})
LOCATOR_STEPS: dict[str, tuple[int, frozenset[str]]] = {
    "locator": (1, _HAS),
    "get_by_role": (
        1,
        frozenset(
            {
                "checked",
                "disabled",
                "expanded",
                "include_hidden",
                "level",
                "name",
                "pressed",
                "selected",
                "exact",
            }
        ),
    ),
    "get_by_text": (1, _TEXT),
    "get_by_label": (1, _TEXT),
    "get_by_placeholder": (1, _TEXT),
    "get_by_alt_text": (1, _TEXT),
    "get_by_title": (1, _TEXT),
    "get_by_test_id": (1, frozenset()),
    "frame_locator": (1, frozenset()),
    "filter": (0, _HAS | {"visible"}),
    "nth": (1, frozenset()),
    "and_": (1, frozenset()),
    "or_": (1, frozenset()),
}
LOCATOR_PROPERTIES = frozenset({"first", "last", "content_frame"})

# Names that, newly used, skip, stop, retry or rewire a test, whatever the spelling around
# them (an alias, `from pytest import mark`, an attribute of an attribute).
# fmt: off
_SKIPS = frozenset({
    "skip", "skipif", "skip_if", "skipIf", "skipUnless", "skipTest", "SkipTest", "xfail",
    "fixme", "importorskip", "expectedFailure", "only", "mark", "pytestmark", "applymarker",
    "add_marker", "usefixtures", "flaky", "reruns", "rerun", "retries", "retry", "deselect",
    "collect_ignore", "collect_ignore_glob", "_pytest", "outcomes",
})
_EXITS = frozenset({
    "exit", "_exit", "abort", "quit", "kill", "killpg", "terminate", "interrupt_main",
    "SystemExit", "KeyboardInterrupt", "Exit", "Interrupted", "main", "atexit", "signal",
})
_DYNAMIC = frozenset({
    "getattr", "setattr", "delattr", "__import__", "import_module", "importlib", "eval",
    "exec", "globals", "locals", "vars", "__dict__", "__builtins__", "builtins", "__class__",
    "__subclasses__", "__getattribute__", "__getattr__", "__setattr__", "attrgetter",
    "methodcaller", "__code__", "__globals__", "monkeypatch", "patch", "mock", "Mock",
    "MagicMock", "hookimpl", "hookwrapper", "pluginmanager", "register", "sys", "os",
    "subprocess", "shutil", "open", "Path", "pathlib", "write_text", "write_bytes", "ctypes",
    "inspect", "gc", "runpy", "modules", "environ", "threading", "multiprocessing",
})
# Playwright calls that change what the page shows or answers instead of testing it.
_TAMPERING = frozenset({
    "evaluate", "evaluate_handle", "eval_on_selector", "eval_on_selector_all", "set_content",
    "add_script_tag", "add_style_tag", "add_init_script", "route", "route_from_har",
    "route_web_socket", "unroute", "expose_function", "expose_binding", "set_options",
    "dispatch_event", "set_extra_http_headers",
})
# fmt: on
_TAMPERING_URL = re.compile(r"^\s*(data|javascript|file|blob|about):", re.IGNORECASE)
_TIMEOUT_NAME = re.compile(r"timeout|retr(y|ies)|rerun|attempts|delay|sleep", re.IGNORECASE)
_TIMEOUT_CALLS = frozenset(
    {"set_default_timeout", "set_default_navigation_timeout", "wait_for_timeout", "sleep"}
)
_ROOTISH = frozenset({"html", "body", "head", ":root", ":scope", "*", "document"})
_XPATH_ROOTS = frozenset(
    {
        "/",
        "/html",
        "//html",
        "/html/body",
        "//body",
        "//*",
        "/*",
        ".",
        "..",
        "/html/*",
        "//html/body",
        "/html//*",
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One structural change a fix class does not allow, with the line it is on (after)."""

    rule: str
    line: int
    observed: str


def compare(
    before: bytes, after: bytes, fix_class: str, failing: Sequence[str] | None = None
) -> list[Finding]:
    """What the change from `before` to `after` does that `fix_class` does not allow. With
    the locators the failing tests reported (`failing`), only those may change."""
    try:
        old = ast.parse(before)
    except (SyntaxError, ValueError) as exc:
        return [Finding("structure_unverifiable", 0, f"the file does not parse before: {exc}")]
    try:
        new = ast.parse(after)
    except (SyntaxError, ValueError) as exc:
        return [Finding("syntax_error", getattr(exc, "lineno", 0) or 0, str(exc))]
    found = _locator_only(old, new) if fix_class == "locator" else []
    if failing is not None:
        found += _unrelated_locators(old, new, failing)
    return found + _test_rules(old, new) + _trivial_locators(old, new)


# --- fix class `locator`: identical trees but for the arguments of locator steps -------------


def _locator_only(old: ast.Module, new: ast.Module) -> list[Finding]:
    differing = _difference(old, new, new)
    if differing is None:
        return []
    line, why = differing
    return [Finding("structure_changed", line, why)]


def locator_chain(node: object) -> tuple[list[ast.expr], ast.expr] | None:
    """The locator steps of `node` (innermost first) and their receiver, if `node` is one."""
    steps: list[ast.expr] = []
    current = node
    while True:
        if isinstance(current, ast.Attribute) and current.attr in LOCATOR_PROPERTIES:
            steps.append(current)
            current = current.value
        elif isinstance(current, ast.Call) and _is_step(current):
            steps.append(current)
            assert isinstance(current.func, ast.Attribute)
            current = current.func.value
        else:
            break
    if not steps or not isinstance(current, ast.expr):
        return None
    return list(reversed(steps)), current


def _is_step(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else ""
    if name not in LOCATOR_STEPS:
        return False
    positional, keywords = LOCATOR_STEPS[name]
    return (
        len(call.args) <= positional
        and not any(isinstance(a, ast.Starred) for a in call.args)
        and all(k.arg in keywords for k in call.keywords)
    )


Difference = tuple[int, str]


def _difference(a: object, b: object, where: ast.AST, callee: bool = False) -> Difference | None:
    """The first place where `b` differs from `a` beyond the arguments of locator steps."""
    if hasattr(b, "lineno"):
        where = b  # type: ignore[assignment]
    chains = (None, None) if callee else (locator_chain(a), locator_chain(b))
    if chains[0] or chains[1]:
        return _chain_difference(a, b, where, chains[0], chains[1])
    if isinstance(a, ast.AST) or isinstance(b, ast.AST):
        return _node_difference(a, b, where)
    if isinstance(a, list) and isinstance(b, list):
        return _list_difference(a, b, where)
    return None if a == b else (_line(where), f"{a!r} became {b!r} in {_source(where)}")


def _node_difference(a: object, b: object, where: ast.AST) -> Difference | None:
    if type(a) is not type(b) or not isinstance(a, ast.AST):
        return _line(where), f"{_source(a)} became {_source(b)}"
    for field in a._fields:
        if field in ("ctx", "type_comment"):
            continue
        on_call = isinstance(a, ast.Call) and field == "func"
        found = _difference(getattr(a, field, None), getattr(b, field, None), where, on_call)
        if found:
            return found
    return None


def _list_difference(a: list[object], b: list[object], where: ast.AST) -> Difference | None:
    for x, y in zip(a, b, strict=False):
        found = _difference(x, y, where)
        if found:
            return found
    if len(a) == len(b):
        return None
    extra = b[len(a)] if len(b) > len(a) else a[len(b)]
    change = "added" if len(b) > len(a) else "removed"
    return _line(extra, where), f"{change}: {_source(extra)}"


def _chain_difference(
    a: object,
    b: object,
    where: ast.AST,
    old: tuple[list[ast.expr], ast.expr] | None,
    new: tuple[list[ast.expr], ast.expr] | None,
) -> Difference | None:
    if old is None or new is None:
        return _line(where), (
            f"a locator call may only become another locator call: {_source(a)} became {_source(b)}"
        )
    found = _difference(old[1], new[1], where)
    if found:
        return found
    if [ast.dump(s) for s in old[0]] == [ast.dump(s) for s in new[0]]:
        return None
    kept = {ast.dump(arg) for step in old[0] for arg in _arguments(step)}
    for step in new[0]:
        for arg in _arguments(step):
            if ast.dump(arg) not in kept and not _plain(arg):
                return _line(arg, where), f"a locator argument must be a literal: {_source(arg)}"
    return None


def _arguments(step: ast.expr) -> list[ast.expr]:
    if isinstance(step, ast.Call):
        return [*step.args, *(k.value for k in step.keywords)]
    return []


def _plain(node: ast.expr) -> bool:
    """A literal, an f-string of names, a name, or another locator."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | bool) or node.value is None
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(v, ast.Constant)
            or (isinstance(v, ast.FormattedValue) and _reference(v.value))
            for v in node.values
        )
    if _reference(node):
        return True
    if _regex(node) is not None:
        return True
    chain = locator_chain(node)
    return chain is not None and all(_plain(a) for s in chain[0] for a in _arguments(s))


def _reference(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _reference(node.value)
    if isinstance(node, ast.Subscript):
        return _reference(node.value) and isinstance(node.slice, ast.Constant | ast.Name)
    return False


def _regex(node: ast.expr) -> str | None:
    """The pattern of `re.compile("…"[, flags])`, or None."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and not node.keywords
        and all(_reference(a) for a in node.args[1:])
    ):
        return None
    return node.args[0].value


# --- only the locators that failed change -----------------------------------------------------


def _unrelated_locators(old: ast.Module, new: ast.Module, failing: Sequence[str]) -> list[Finding]:
    """A locator changed that no failing test reported: changing a passing test's locator
    (an assertion pointed at something always there) is not a heal."""
    wanted = [c[0] for c in map(_parsed, failing) if c]
    before = _chains(old)
    changed = Counter(t for t, _, _ in before) - Counter(t for t, _, _ in _chains(new))
    found: dict[str, Finding] = {}
    for text, line, steps in before:
        if changed[text] and not any(_related(steps, w) or _related(w, steps) for w in wanted):
            why = f"{text} (line {line} before the patch) is not a locator that failed"
            found.setdefault(text, Finding("unrelated_locator", line, why))
    return list(found.values())


def _parsed(text: str) -> tuple[list[ast.expr], ast.expr] | None:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    for call in ast.walk(node):  # as Playwright prints it, `locator("#a")`: on the page
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            call.func = ast.Attribute(ast.Name("page", ast.Load()), call.func.id, ast.Load())
    return locator_chain(node)


def _chains(tree: ast.AST) -> list[tuple[str, int, list[ast.expr]]]:
    found = []
    for node in ast.walk(tree):
        chain = locator_chain(node)
        if chain is not None:
            found.append((ast.unparse(node), getattr(node, "lineno", 0), chain[0]))
    return found


def _related(steps: list[ast.expr], within: list[ast.expr]) -> bool:
    """Whether `steps` stand, one after another, within `within` (values matched loosely:
    an f-string as a pattern, a name as anything)."""
    size = len(steps)
    return any(
        all(_same_step(a, b) for a, b in zip(steps, within[i : i + size], strict=True))
        for i in range(len(within) - size + 1)
    )


def _same_step(a: ast.expr, b: ast.expr) -> bool:
    if isinstance(a, ast.Attribute) or isinstance(b, ast.Attribute):
        return isinstance(a, ast.Attribute) and isinstance(b, ast.Attribute) and a.attr == b.attr
    if not (isinstance(a, ast.Call) and isinstance(b, ast.Call)) or _called(a) != _called(b):
        return False
    pairs = list(zip(a.args, b.args, strict=False))
    named = {k.arg: k.value for k in b.keywords}
    pairs += [(k.value, named[k.arg]) for k in a.keywords if k.arg in named]
    return all(_same_value(x, y) for x, y in pairs)


def _same_value(a: ast.expr, b: ast.expr) -> bool:
    texts = [n.value for n in (a, b) if isinstance(n, ast.Constant)]
    strings = [n for n in (a, b) if isinstance(n, ast.JoinedStr)]
    if len(texts) == 2:
        return texts[0] == texts[1]
    if len(texts) == 1 and strings:
        pattern = "".join(
            re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".+?"
            for v in strings[0].values
        )
        return re.fullmatch(pattern, str(texts[0]), re.DOTALL) is not None
    return True


# --- trivial locators: the expectation emptied ------------------------------------------------


def _trivial_locators(old: ast.Module, new: ast.Module) -> list[Finding]:
    """A locator that matches the whole document (or anything) where none did before."""
    before = {text for _, text in _trivial(old)}
    return [
        Finding("trivial_locator", line, text) for line, text in _trivial(new) if text not in before
    ]


def _trivial(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_step(node)):
            continue
        assert isinstance(node.func, ast.Attribute)
        method = node.func.attr
        values = [*node.args[:1], *(k.value for k in node.keywords if k.arg in _HAS | {"name"})]
        if any(_matches_anything(method, value) for value in values):
            yield node.lineno, _source(node)


def _matches_anything(method: str, arg: ast.expr) -> bool:
    pattern = _regex(arg)
    if pattern is not None:
        try:
            return re.search(pattern, "") is not None
        except re.error:
            return True
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    text = arg.value.strip().lower()
    if not text:
        return True
    if method == "get_by_role":
        return text in ("document", "generic", "presentation", "none")
    return method == "locator" and _root_selector(text)


def _root_selector(selector: str) -> bool:
    selector = selector.removeprefix("css=").strip()
    if selector.startswith(("xpath=", "/", "(", ".")):
        return selector.removeprefix("xpath=").replace(" ", "") in _XPATH_ROOTS
    for part in selector.split(","):
        compounds = [c for c in re.split(r"[\s>+~]+", part.strip()) if c]
        if compounds and all(c in _ROOTISH for c in compounds):
            return True
    return False


# --- fix class `test` (and test files in any class): assertions kept, nothing that skips ----


def _test_rules(old: ast.Module, new: ast.Module) -> list[Finding]:
    return [
        *_scopes(old, new),
        *_tokens(old, new),
        *_rebinding(old, new),
        *_timeouts(old, new),
    ]


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.AST, prefix: str = "") -> dict[str, Function]:
    """Every function and method by qualified name (nested ones included)."""
    found: dict[str, Function] = {}
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, Function):
            found[prefix + node.name] = node
            found |= _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            found |= _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.stmt):
            found |= _functions(node, prefix)
    return found


def _scopes(old: ast.Module, new: ast.Module) -> list[Finding]:
    """The same functions with the same signatures, the module level unchanged but for
    imports, and in each function its assertions and control flow kept (assertions added)."""
    found: list[Finding] = []
    before, after = _functions(old), _functions(new)
    for name in sorted(set(before) - set(after)):
        found.append(Finding("removed_function", before[name].lineno, f"{name} is gone"))
    for name in sorted(set(after) - set(before)):
        found.append(Finding("added_function", after[name].lineno, f"{name} is new"))
    for name in sorted(set(before) & set(after)):
        a, b = before[name], after[name]
        if type(a) is not type(b) or _signature(a) != _signature(b):
            found.append(Finding("signature_changed", b.lineno, f"{name}: decorators or arguments"))
        found += _flow(name, a, b)
    old_top, new_top = _module_level(old), _module_level(new)
    if [k for k, _ in old_top] != [k for k, _ in new_top]:
        matcher = difflib.SequenceMatcher(None, [k for k, _ in old_top], [k for k, _ in new_top])
        _, i1, _, j1, _ = next(op for op in matcher.get_opcodes() if op[0] != "equal")
        line = new_top[j1][1] if j1 < len(new_top) else (old_top[i1][1] if old_top else 0)
        found.append(Finding("structure_changed", line, "module-level code changed"))
    return found


def _signature(node: Function | ast.ClassDef) -> str:
    decorators = [ast.dump(d) for d in node.decorator_list]
    if isinstance(node, ast.ClassDef):
        return repr((decorators, [ast.dump(b) for b in node.bases], len(node.keywords)))
    return repr((decorators, ast.dump(node.args), ast.dump(node.returns or ast.Constant(None))))


def _module_level(tree: ast.Module) -> list[tuple[str, int]]:
    """Module-level and class-level statements but imports and functions, normalised."""
    kept: list[tuple[str, int]] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            kept.append((f"class {node.name} {_signature(node)}", node.lineno))
            kept += [(_normal(n), n.lineno) for n in node.body if not isinstance(n, Function)]
        elif not isinstance(node, ast.Import | ast.ImportFrom | Function):
            kept.append((_normal(node), node.lineno))
    return kept


def _normal(node: ast.AST) -> str:
    """A dump with every locator chain reduced to its receiver: locators may change."""
    return ast.dump(_LocatorsErased().visit(copy.deepcopy(node)))


class _LocatorsErased(ast.NodeTransformer):
    def visit(self, node: ast.AST) -> ast.AST:
        chain = locator_chain(node)
        if chain is not None:
            receiver = self.visit(chain[1])
            assert isinstance(receiver, ast.expr)
            return ast.Call(ast.Name("LOCATOR", ast.Load()), [receiver], [])
        visited: ast.AST = super().visit(node)
        return visited


# Statements whose place in a function is its control flow; assertions are checked apart.
_FLOW = (ast.Return, ast.Raise, ast.Break, ast.Continue, ast.Delete, ast.Global, ast.Nonlocal)
_BLOCKS = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
)
_HEADERS: dict[type[ast.stmt], tuple[str, ...]] = {
    ast.If: ("test",),
    ast.While: ("test",),
    ast.For: ("target", "iter"),
    ast.AsyncFor: ("target", "iter"),
    ast.With: ("items",),
    ast.AsyncWith: ("items",),
    ast.Match: ("subject",),
}


@dataclass(frozen=True, slots=True)
class Event:
    """An assertion, a control-flow statement or a block boundary, as compared and as shown."""

    key: str
    line: int
    text: str


def _flow(name: str, old: Function, new: Function) -> list[Finding]:
    """The function's assertions, control-flow statements and blocks in order: the new
    sequence may only add assertions; nothing may skip, swallow or wrap an old one."""
    a, b = _events(old.body, _bindings(old)), _events(new.body, _bindings(new))
    matcher = difflib.SequenceMatcher(None, [e.key for e in a], [e.key for e in b], autojunk=False)
    found: dict[str, Finding] = {}
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        gone, added = a[i1:i2], b[j1:j2]
        if op == "equal" or not (gone or any(not e.key.startswith("assert") for e in added)):
            continue
        line = (added or b[j1 - 1 : j1] or [Event("", new.lineno, "")])[0].line
        change = f"{name}: {_shown(gone)} -> {_shown(added)}"
        if any(e.key.startswith("assert") for e in gone):
            rule = "changed_assertion" if added else "removed_assertion"
        else:
            rule = "control_flow_changed"
        found.setdefault(rule, Finding(rule, line, change))
    return list(found.values())


def _shown(events: list[Event]) -> str:
    shown = "; ".join(f"{e.text} (line {e.line})" for e in events[:2] if e.text)
    return shown or "nothing"


def _events(body: list[ast.stmt], bindings: dict[str, list[str]]) -> list[Event]:
    """Assertions, control-flow statements and block headers, in source order; an assertion
    carries what the names it reads are bound to in the function (`expected = total`)."""
    events: list[Event] = []
    for stmt in body:
        if isinstance(stmt, _BLOCKS):
            kind = type(stmt).__name__
            events.append(Event(f"enter {kind} {_header(stmt)}", stmt.lineno, _first(stmt)))
            for part in ("body", "handlers", "orelse", "finalbody", "cases"):
                for child in getattr(stmt, part, None) or []:
                    events += _branch(child, bindings)
                events.append(Event(f"end {kind} {part}", stmt.lineno, ""))
        elif _is_assertion(stmt):
            key = f"assert {_normal(stmt)} {_inputs(stmt, bindings)}"
            events.append(Event(key, stmt.lineno, _source(stmt)))
        elif isinstance(stmt, _FLOW):
            events.append(Event(f"flow {_normal(stmt)}", stmt.lineno, _source(stmt)))
    return events


def _first(stmt: ast.stmt) -> str:
    return _source(stmt).split("\n", 1)[0]


def _branch(child: ast.AST, bindings: dict[str, list[str]]) -> list[Event]:
    if isinstance(child, ast.ExceptHandler):
        header = _normal(child.type) if child.type else "any"
        text = f"except {_source(child.type) if child.type else ''}:"
        return [Event(f"enter except {header}", child.lineno, text), *_events(child.body, bindings)]
    if isinstance(child, ast.match_case):
        header = _normal(child.pattern) + (_normal(child.guard) if child.guard else "")
        line = child.pattern.lineno
        return [Event(f"enter case {header}", line, "case"), *_events(child.body, bindings)]
    return _events([child], bindings) if isinstance(child, ast.stmt) else []


def _header(stmt: ast.stmt) -> str:
    if isinstance(stmt, Function | ast.ClassDef):
        return stmt.name + _signature(stmt)
    parts = []
    for field in _HEADERS.get(type(stmt), ()):
        value = getattr(stmt, field)
        items = value if isinstance(value, list) else [value]
        parts += [_normal(v) for v in items]
    return " ".join(parts)


def _is_assertion(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assert):
        return True
    if not isinstance(stmt, ast.Expr):
        return False
    for node in ast.walk(stmt.value):
        if isinstance(node, ast.Name) and node.id == "expect":
            return True
        if isinstance(node, ast.Attribute) and (
            node.attr.startswith(("assert", "to_", "not_to_", "toHave", "toBe"))
            or node.attr == "expect"
        ):
            return True
    return False


def _bindings(function: ast.AST) -> dict[str, list[str]]:
    """Each name bound in the function, to the normalised statements that bind it."""
    bound: dict[str, list[str]] = {}
    for target, _, node in _targets(function):
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                bound.setdefault(name.id, []).append(_normal(node))
    return bound


def _inputs(stmt: ast.stmt, bindings: dict[str, list[str]]) -> str:
    """What the names an assertion reads are bound to, transitively."""
    seen: set[str] = set()
    todo = [n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)]
    shown: list[str] = []
    while todo:
        name = todo.pop()
        if name in seen or name not in bindings:
            continue
        seen.add(name)
        for text in bindings[name]:
            shown.append(text)
            todo += re.findall(r"Name\(id='([^']+)'", text)
    return repr(sorted(shown))


def _targets(tree: ast.AST) -> Iterator[tuple[ast.expr, int, ast.AST]]:
    """Every assignment target: the target, its line and the statement binding it."""
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(
            node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr | ast.For | ast.AsyncFor
        ):
            targets = [node.target]
        elif isinstance(node, ast.With | ast.AsyncWith):
            targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        for target in targets:
            yield target, getattr(node, "lineno", 0), node


def _tokens(old: ast.Module, new: ast.Module) -> list[Finding]:
    """Names that skip, exit, reach code dynamically or tamper with the page, newly used."""
    before, after = _token_uses(old), _token_uses(new)
    found = []
    for (token, rule), lines in sorted(after.items()):
        used = len(before.get((token, rule), []))
        if len(lines) > used:
            found.append(Finding(rule, min(lines), f"{token} (used {len(lines)}x, before {used}x)"))
    return found


_WORDS = (
    ("added_skip", _SKIPS),
    ("added_exit", _EXITS),
    ("dynamic_code", _DYNAMIC),
    ("tampering", _TAMPERING),
)


def _token_uses(tree: ast.AST) -> dict[tuple[str, str], list[int]]:
    uses: dict[tuple[str, str], list[int]] = {}
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        for token in _names_in(node):
            for rule, words in _WORDS:
                if token in words:
                    uses.setdefault((token, rule), []).append(line)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            scheme = _TAMPERING_URL.match(node.value)
            if scheme:
                uses.setdefault((f"a {scheme[1].lower()}: URL", "tampering"), []).append(line)
        if isinstance(node, ast.Lambda | ast.Yield | ast.YieldFrom):
            uses.setdefault((type(node).__name__.lower(), "control_flow_changed"), []).append(line)
    return uses


def _names_in(node: ast.AST) -> list[str]:
    name: str | None = None
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.keyword):
        name = node.arg
    elif isinstance(node, Function | ast.ClassDef):
        name = node.name
    elif isinstance(node, ast.alias):
        return [*node.name.split("."), *([node.asname] if node.asname else [])]
    elif isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")
    return [name] if name else []


def _rebinding(old: ast.Module, new: ast.Module) -> list[Finding]:
    """A name the module imported or defined, a builtin, an attribute or an item, newly
    bound: `expect = …`, `from x import y as expect`, `page.expect = …`,
    `config.option.collectonly = True`."""
    shared = {name for node in old.body for name in _defined(node)} | set(dir(builtins))
    before, after = Counter(t for t, _ in _assigned(old, shared)), _assigned(new, shared)
    counts = Counter(t for t, _ in after)
    reported: set[str] = set()
    found = []
    for target, line in after:
        if counts[target] > before[target] and target not in reported:
            reported.add(target)
            found.append(Finding("rebound_name", line, f"{target} is assigned"))
    return found


def _defined(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    if isinstance(node, Function | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    return []


def _assigned(tree: ast.AST, shared: set[str]) -> list[tuple[str, int]]:
    found = [
        (name, getattr(node, "lineno", 0))
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom | Function | ast.ClassDef)
        for name in _defined(node)
        if name in shared
    ]
    for target, line, _ in _targets(tree):
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and node.id in shared:
                found.append((node.id, line))
            elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(
                node.ctx, ast.Store | ast.Del
            ):
                found.append((ast.unparse(node), line))
    return found


def _timeouts(old: ast.Module, new: ast.Module) -> list[Finding]:
    """Timeouts, retries and sleeps, evaluated: none raised, none added."""
    before, after = _timeout_values(old), _timeout_values(new)
    found = []
    for kind in sorted(after):
        limits = sorted((v for v, _ in before.get(kind, [])), reverse=True)
        for index, (value, line) in enumerate(sorted(after[kind], reverse=True)):
            limit = limits[index] if index < len(limits) else None
            if limit is None or value > limit:
                shown = "a value it cannot evaluate" if math.isinf(value) else f"{value:g}"
                was = "none" if limit is None else f"{limit:g}"
                found.append(Finding("raised_timeout", line, f"{kind} {shown} (before: {was})"))
                break
    return found


def _timeout_values(tree: ast.Module) -> dict[str, list[tuple[float, int]]]:
    constants = {
        t.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    found: dict[str, list[tuple[float, int]]] = {}
    for name, value, line in _timeout_settings(tree):
        found.setdefault(_kind(name), []).append((_evaluate(value, constants), line))
    return found


def _timeout_settings(tree: ast.AST) -> Iterator[tuple[str, ast.expr, int]]:
    """(what is set, its value, line) for every timeout, retry count or sleep in the code."""
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.keyword) and node.arg and _TIMEOUT_NAME.search(node.arg):
            yield node.arg, node.value, getattr(node.value, "lineno", 0)
        elif isinstance(node, ast.Call) and _called(node) in _TIMEOUT_CALLS and node.args:
            yield _called(node), node.args[0], line
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
                if name and _TIMEOUT_NAME.search(name):
                    yield name, node.value, line
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and _TIMEOUT_NAME.search(str(key.value)):
                    yield str(key.value), value, getattr(value, "lineno", 0)


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _kind(name: str) -> str:
    lowered = name.lower()
    if "retr" in lowered or "rerun" in lowered or "attempt" in lowered:
        return "retries"
    if "sleep" in lowered or "wait_for_timeout" in lowered or "delay" in lowered:
        return "sleep"
    return "timeout"


_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: lambda a, b: a / b if b else math.inf,
    ast.FloorDiv: lambda a, b: a / b if b else math.inf,
    ast.Pow: lambda a, b: float(a**b) if abs(b) < 64 else math.inf,
}


def _evaluate(node: ast.expr | None, constants: dict[str, ast.expr], depth: int = 0) -> float:
    """A number from literals, arithmetic and module constants; infinity when unknown."""
    result = math.inf
    if node is None or depth > 20:
        pass
    elif isinstance(node, ast.Constant):
        value = node.value
        if value is None:
            result = 0.0
        elif isinstance(value, int | float) and not isinstance(value, bool):
            result = float(value)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        result = sign * _evaluate(node.operand, constants, depth + 1)
    elif isinstance(node, ast.Name) and node.id in constants:
        result = _evaluate(constants[node.id], constants, depth + 1)
    elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left = _evaluate(node.left, constants, depth + 1)
        right = _evaluate(node.right, constants, depth + 1)
        try:
            result = _OPERATORS[type(node.op)](left, right)
        except (OverflowError, ValueError):
            result = math.inf
    return result


def _line(node: object, fallback: object = None) -> int:
    for candidate in (node, fallback):
        line = getattr(candidate, "lineno", None)
        if isinstance(line, int):
            return line
    return 0


def _source(node: object) -> str:
    if isinstance(node, ast.AST):
        try:
            return ast.unparse(node)[:120]
        except (ValueError, TypeError, AttributeError):
            return type(node).__name__
    return repr(node)[:120]
