"""Guardrails on a fix patch: where it may write, how much, and never a weaker test.
`check(diff, policy, fix_class)` lists every violation with its rule, threshold and observed
value; an empty list means the patch may be validated (spec/self-heal-and-fix.md)."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from unidiff import PatchedFile, PatchSet
from unidiff.errors import UnidiffParseError

PROTECTED = (
    ".github/*",
    ".github/**",
    "agent-engine.toml",
    "CODEOWNERS",
    "*/CODEOWNERS",
    ".env*",
    "*/.env*",
    "*.lock",
    "*/*.lock",
    "package-lock.json",
    "*/package-lock.json",
    "pnpm-lock.yaml",
    "*/pnpm-lock.yaml",
    "yarn.lock",
    "poetry.lock",
    "uv.lock",
    "requirements*.txt",
    "*/requirements*.txt",
    "Pipfile.lock",
    "Gemfile.lock",
    "go.sum",
)
_SKIP = re.compile(
    r"(pytest\.mark\.(skip|skipif|xfail)|pytest\.(skip|xfail)\(|test\.(skip|fixme)"
    r"\(|\.(skip|only|fixme)\(|\bxit\(|\bxdescribe\(|@unittest\.skip)"
)
_ASSERT = re.compile(
    r"(\bassert\b|\bexpect\(|\.to_(have|be|contain)|\.toHave|\.toBe|"
    r"assert[A-Z]\w*\(|\.should\()"
)
_LOOSER = (
    ("to_have_text", "to_contain_text"),
    ("toHaveText", "toContainText"),
    ("toEqual", "toContain"),
    ("to_have_count", "to_be_visible"),
    ("assertEqual", "assertIn"),
    (" == ", " in "),
)
_TIMEOUT = re.compile(
    r"(?:timeout\s*[=:]\s*|set_default_timeout\(|setTimeout\(|"
    r"set_default_navigation_timeout\()\s*([0-9_]+(?:\.[0-9]+)?)"
)


class Cap(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    files: int = Field(ge=0)
    lines: int = Field(ge=0)


class GuardrailPolicy(BaseModel):
    """Where a fix may write and how much, by fix class (agent-engine.toml [fix_agent])."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed: list[str] = Field(default_factory=lambda: ["**/e2e/**", "**/pages/**", "tests/e2e/**"])
    protected: list[str] = Field(default_factory=lambda: list(PROTECTED))
    caps: dict[str, Cap] = Field(
        default_factory=lambda: {
            "locator": Cap(files=1, lines=10),
            "test": Cap(files=3, lines=40),
            "backend": Cap(files=3, lines=60),
        }
    )


class Violation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    threshold: str
    observed: str
    path: str = ""


def check(diff: str, policy: GuardrailPolicy, fix_class: str = "locator") -> list[Violation]:
    """Every rule the patch breaks; none for a patch that may go on to validation."""
    if not diff.strip():
        return []
    try:
        patch = PatchSet(diff)
    except UnidiffParseError as exc:
        return [Violation(rule="unreadable_patch", threshold="a unified diff", observed=str(exc))]
    if not patch and diff.strip():
        return [
            Violation(
                rule="unreadable_patch", threshold="a unified diff", observed="no file in the patch"
            )
        ]
    found: list[Violation] = []
    for changed in patch:
        found += _file_rules(changed, policy)
        found += _weaker_test(changed)
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


# Every rule a patch is checked against, in the order the report lists them.
RULES: dict[str, str] = {
    "unreadable_patch": "a unified diff",
    "path_outside_repo": "inside the repository",
    "protected_path": "no protected path",
    "path_not_allowed": "only allowed paths",
    "symlink": "no symbolic links",
    "mode_change": "no mode changes",
    "binary_file": "text files only",
    "deletion": "no deleted files",
    "rename": "no renames",
    "added_skip": "no skip, xfail, fixme or only",
    "removed_assertion": "no fewer assertions",
    "loosened_assertion": "no looser assertion",
    "raised_timeout": "no raised or added timeout",
    "too_many_files": "the fix class's file cap",
    "too_many_lines": "the fix class's line cap",
}


class RuleResult(BaseModel):
    """One line of the guardrail report: a rule, its threshold, what the patch did, the call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    threshold: str
    observed: str
    decision: Literal["pass", "refuse"]


def report(diff: str, policy: GuardrailPolicy, fix_class: str = "locator") -> list[RuleResult]:
    """Every rule with its outcome for this patch (the violations are `check`'s)."""
    found = check(diff, policy, fix_class)
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
    for rule, default in RULES.items():
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
            threshold, observed = counts.get(rule, (default, "none"))
            rows.append(
                RuleResult(rule=rule, threshold=threshold, observed=observed, decision="pass")
            )
    return rows


def _file_rules(changed: PatchedFile, policy: GuardrailPolicy) -> list[Violation]:
    paths = {p for p in (_clean(changed.source_file), _clean(changed.target_file)) if p}
    header = str(changed.patch_info)
    checks = [
        (
            "path_outside_repo",
            "inside the repository",
            any(p.startswith("/") or ".." in PurePosixPath(p).parts for p in paths),
        ),
        (
            "protected_path",
            "none of: " + ", ".join(policy.protected[:6]) + ", …",
            any(_matches(p, policy.protected) for p in paths),
        ),
        (
            "path_not_allowed",
            "one of: " + ", ".join(policy.allowed),
            not all(any(fnmatch(p, g) for g in policy.allowed) for p in paths),
        ),
        ("symlink", "no symbolic links", "120000" in header),
        ("mode_change", "no mode changes", "old mode" in header or "new mode" in header),
        ("binary_file", "text files only", changed.is_binary_file or "GIT binary patch" in header),
        ("deletion", "no deleted files", changed.is_removed_file),
        ("rename", "no renames", changed.is_rename or "rename from" in header),
    ]
    return [
        Violation(rule=rule, threshold=threshold, observed="yes", path=changed.path)
        for rule, threshold, broken in checks
        if broken
    ]


def _weaker_test(changed: PatchedFile) -> list[Violation]:
    added = [line.value for hunk in changed for line in hunk if line.is_added]
    removed = [line.value for hunk in changed for line in hunk if line.is_removed]
    found = []
    skips = [line.strip() for line in added if _SKIP.search(line)]
    if skips:
        found.append(
            Violation(
                rule="added_skip",
                threshold="no skip, xfail, fixme or only",
                observed=skips[0][:120],
                path=changed.path,
            )
        )
    gone = sum(bool(_ASSERT.search(line)) for line in removed)
    kept = sum(bool(_ASSERT.search(line)) for line in added)
    if gone > kept:
        found.append(
            Violation(
                rule="removed_assertion",
                threshold="no fewer assertions",
                observed=f"{gone} removed, {kept} added",
                path=changed.path,
            )
        )
    loosened = [
        (s, loose)
        for s, loose in _LOOSER
        if any(s in line for line in removed) and any(loose in line for line in added)
    ]
    if loosened:
        strict, loose = loosened[0]
        found.append(
            Violation(
                rule="loosened_assertion",
                threshold=f"keep {strict}",
                observed=loose,
                path=changed.path,
            )
        )
    before, after = _timeouts(removed), _timeouts(added)
    if after and (not before or max(after) > max(before)):
        found.append(
            Violation(
                rule="raised_timeout",
                threshold=f"<= {max(before, default=0):g}",
                observed=f"{max(after):g}",
                path=changed.path,
            )
        )
    return found


def _timeouts(lines: list[str]) -> list[float]:
    return [float(m.group(1).replace("_", "")) for line in lines for m in _TIMEOUT.finditer(line)]


def _clean(path: str | None) -> str:
    if not path or path == "/dev/null":
        return ""
    return path[2:] if path.startswith(("a/", "b/")) else path


def _matches(path: str, patterns: list[str]) -> bool:
    return any(
        fnmatch(path, pattern) or fnmatch(PurePosixPath(path).name, pattern) for pattern in patterns
    )
