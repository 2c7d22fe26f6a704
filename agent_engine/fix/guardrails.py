"""Guardrails on a fix patch: where it may write, how much, and never a weaker test, judged on
the code's structure (agent_engine.fix.structure), not on line patterns. `check(diff, policy,
fix_class, sources)` lists every violation with its rule, threshold and observed value; an
empty list means the patch may be validated (spec/self-heal-and-fix.md)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict
from unidiff import PatchedFile, PatchSet
from unidiff.errors import UnidiffParseError

from agent_engine.fix.structure import compare
from agent_engine.settings import Cap, GuardrailPolicy

# Where a file is a test whatever the fix class: it is judged by the test rules.
_TEST_FILES = ("test_*.py", "*_test.py", "**/tests/**", "**/test/**", "**/e2e/**")

FileSources = tuple[bytes | None, bytes | None]


class Violation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    threshold: str
    observed: str
    path: str = ""


# Every rule a patch is checked against, in the order the report lists them.
RULES: dict[str, str] = {
    "unreadable_patch": "a unified diff",
    "patch_does_not_apply": "applies with git apply",
    "path_outside_repo": "inside the repository",
    "protected_path": "no protected path (run configuration, workflows, lockfiles, ...)",
    "path_not_allowed": "only allowed paths",
    "ignored_file": "nothing in the worktree that the diff does not hold",
    "symlink": "no symbolic links",
    "submodule": "no submodules",
    "mode_change": "no mode changes",
    "binary_file": "text files only",
    "deletion": "no deleted files",
    "rename": "no renames",
    "added_file": "a locator or test fix edits existing files",
    "unverifiable_file": "Python source only (its structure is checked)",
    "syntax_error": "the file still parses",
    "structure_unverifiable": "a file that parses before the patch",
    "structure_changed": "only the arguments of locator calls change",
    "unrelated_locator": "only the locators the failing tests reported change",
    "trivial_locator": "no locator that matches the whole page or anything",
    "removed_function": "every function kept",
    "added_function": "no new function",
    "signature_changed": "same decorators and arguments",
    "removed_assertion": "every assertion kept",
    "changed_assertion": "every assertion unchanged (matcher, negation, arguments, inputs)",
    "control_flow_changed": "nothing new that can skip, swallow or wrap an assertion",
    "added_skip": "no skip, xfail, marker or rerun, in any spelling",
    "added_exit": "no exit or interrupt, in any spelling",
    "dynamic_code": "no dynamic access, patching, files or processes",
    "tampering": "no change to what the page shows or answers",
    "rebound_name": "no imported name, builtin, attribute or item reassigned",
    "raised_timeout": "no raised or added timeout, retry or sleep",
    "too_many_files": "the fix class's file cap",
    "too_many_lines": "the fix class's line cap",
}


def check(
    diff: str,
    policy: GuardrailPolicy,
    fix_class: str = "locator",
    sources: Mapping[str, FileSources] | None = None,
    failing: Sequence[str] | None = None,
) -> list[Violation]:
    """Every rule the patch breaks; none for a patch that may go on to validation. With the
    files' contents before and after (`sources`, by path) the structure is judged too, and
    with the locators the failing tests reported (`failing`), only those may change."""
    if not diff.strip():
        return []
    found = [
        Violation(
            rule="path_outside_repo", threshold=RULES["path_outside_repo"], observed=p, path=p
        )
        for p in _header_paths(diff)
        if _outside(p)
    ]
    try:
        patch = PatchSet(diff)
    except UnidiffParseError as exc:
        return [*found, _violation("unreadable_patch", str(exc))]
    if not patch:
        return [*found, _violation("unreadable_patch", "no file in the patch")]
    for changed in patch:
        found += _file_rules(changed, policy)
        if sources is not None:
            found += _structure(changed, sources, fix_class, failing)
    cap = policy.caps.get(fix_class, Cap(files=0, lines=0))
    lines = sum(f.added + f.removed for f in patch)
    if len(patch) > cap.files:
        found.append(
            Violation(
                rule="too_many_files",
                threshold=f"<= {cap.files} ({fix_class})",
                observed=str(len(patch)),
            )
        )
    if lines > cap.lines:
        found.append(
            Violation(
                rule="too_many_lines",
                threshold=f"<= {cap.lines} ({fix_class})",
                observed=str(lines),
            )
        )
    return found


class RuleResult(BaseModel):
    """One line of the guardrail report: a rule, its threshold, what the patch did, the call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    threshold: str
    observed: str
    decision: Literal["pass", "refuse"]


def report(
    found: Iterable[Violation], diff: str, policy: GuardrailPolicy, fix_class: str = "locator"
) -> list[RuleResult]:
    """Every rule with its outcome for this patch, given the violations found."""
    found = list(found)
    cap = policy.caps.get(fix_class, Cap(files=0, lines=0))
    try:
        patch = PatchSet(diff) if diff.strip() else PatchSet("")
    except UnidiffParseError:
        patch = PatchSet("")
    counts = {
        "too_many_files": (f"<= {cap.files} ({fix_class})", str(len(patch))),
        "too_many_lines": (
            f"<= {cap.lines} ({fix_class})",
            str(sum(f.added + f.removed for f in patch)),
        ),
    }
    rows = []
    extra = [v.rule for v in found if v.rule not in RULES]
    for rule in [*RULES, *dict.fromkeys(extra)]:
        hits = [v for v in found if v.rule == rule]
        if hits:
            observed = "; ".join(f"{v.path}: {v.observed}" if v.path else v.observed for v in hits)
            rows.append(
                RuleResult(
                    rule=rule,
                    threshold=hits[0].threshold,
                    observed=observed[:500],
                    decision="refuse",
                )
            )
        else:
            threshold, observed = counts.get(rule, (RULES[rule], "none"))
            rows.append(
                RuleResult(rule=rule, threshold=threshold, observed=observed, decision="pass")
            )
    return rows


def _violation(rule: str, observed: str, path: str = "") -> Violation:
    return Violation(rule=rule, threshold=RULES[rule], observed=observed, path=path)


def _file_rules(changed: PatchedFile, policy: GuardrailPolicy) -> list[Violation]:
    paths = {p for p in (_clean(changed.source_file), _clean(changed.target_file)) if p}
    header = str(changed.patch_info)
    protected = policy.protected_paths()
    checks = [
        ("path_outside_repo", RULES["path_outside_repo"], any(_outside(p) for p in paths)),
        (
            "protected_path",
            "none of: " + ", ".join(protected[:8]) + ", … (" + str(len(protected)) + " in all)",
            any(matches(p, protected) for p in paths),
        ),
        (
            "path_not_allowed",
            "one of: " + ", ".join(policy.allowed),
            not all(matches(p, policy.allowed) for p in paths),
        ),
        ("symlink", RULES["symlink"], "120000" in header),
        (
            "submodule",
            RULES["submodule"],
            "160000" in header or "Subproject commit" in str(changed),
        ),
        ("mode_change", RULES["mode_change"], "old mode" in header or "new mode" in header),
        (
            "binary_file",
            RULES["binary_file"],
            changed.is_binary_file or "GIT binary patch" in header,
        ),
        ("deletion", RULES["deletion"], changed.is_removed_file),
        ("rename", RULES["rename"], changed.is_rename or "rename from" in header),
    ]
    return [
        Violation(rule=rule, threshold=threshold, observed="yes", path=changed.path)
        for rule, threshold, broken in checks
        if broken
    ]


def _structure(
    changed: PatchedFile,
    sources: Mapping[str, FileSources],
    fix_class: str,
    failing: Sequence[str] | None,
) -> list[Violation]:
    """The file's trees compared under the rules of its class (tests: always the test rules)."""
    path = changed.path
    test_file = matches(path, _TEST_FILES)
    strict = fix_class in ("locator", "test")
    before, after = sources.get(path, (None, None))
    if strict and before is None and after is not None:
        return [_violation("added_file", "a new file", path)]
    if not path.endswith(".py"):
        judged = strict or test_file
        return [_violation("unverifiable_file", "not Python source", path)] if judged else []
    if before is None or after is None or not (strict or test_file):
        return []
    rules = "locator" if fix_class == "locator" else "test"
    return [
        Violation(
            rule=f.rule,
            threshold=RULES.get(f.rule, f.rule),
            observed=f"line {f.line}: {f.observed}" if f.line else f.observed,
            path=path,
        )
        for f in compare(before, after, rules, failing)
    ]


def paths_of(diff: str) -> list[str]:
    """Every path a patch names, before and after (an unreadable patch names none)."""
    try:
        patch = PatchSet(diff)
    except UnidiffParseError:
        return []
    found = [_clean(p) for f in patch for p in (f.source_file, f.target_file)]
    return sorted({p for p in found if p})


def test_files(paths: Iterable[str]) -> list[str]:
    """The paths that hold tests (`test_*.py`, `*_test.py`), as pytest collects them."""
    return [p for p in paths if matches(p, ("test_*.py", "*_test.py"))]


_PLUGIN_OPTION = re.compile(r"""(?:^|[\s"'\[,=])-p["']?[\s,=]*["']?(?!no:)([A-Za-z_][\w.]*)""")


def plugin_paths(texts: Iterable[str], python: Iterable[bytes]) -> list[str]:
    """Globs of the modules a test run loads as plugins, to protect them like the run's
    configuration: `-p NAME` in any configuration text or command, and `pytest_plugins`
    in Python files."""
    modules = {m for text in texts for m in _PLUGIN_OPTION.findall(text)}
    for source in python:
        modules |= _pytest_plugins(source)
    globs = []
    for module in sorted(modules):
        path = module.replace(".", "/")
        globs += [f"**/{path}.py", f"**/{path}/**"]
    return globs


def _pytest_plugins(source: bytes) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in targets):
                found |= {
                    n.value
                    for n in ast.walk(node.value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return found


_HEADER = re.compile(
    r"^(?:diff --git a/(\S+) b/(\S+)|(?:---|\+\+\+) (\S+)|(?:rename|copy) (?:from|to) (.+))$",
    re.MULTILINE,
)


def _header_paths(diff: str) -> set[str]:
    """Every path the patch's headers name, read as git reads them, whatever unidiff makes
    of the rest: git applies what the `diff --git` line names."""
    named = {_clean(p) for m in _HEADER.finditer(diff) for p in m.groups() if p}
    return {p for p in named if p}


def _outside(path: str) -> bool:
    return path.startswith("/") or ".." in PurePosixPath(path).parts


def _clean(path: str | None) -> str:
    if not path or path == "/dev/null":
        return ""
    return path[2:] if path.startswith(("a/", "b/")) else path


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Glob patterns as git reads them: `*` stays within a folder, `**/` spans folders, and
    a pattern without a slash names a file at any depth."""
    return any(_pattern(p).fullmatch(path) for p in patterns)


@lru_cache(maxsize=512)
def _pattern(glob: str) -> re.Pattern[str]:
    if "/" not in glob:
        glob = "**/" + glob
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))
