"""The sticky PR comment: one markdown body per PR, found again by its hidden marker, with a
section per kind of news, each item with its evidence line, confidence and reproduction."""

from __future__ import annotations

import re
import shlex

from agent_engine.report.history import RunRecord
from agent_engine.taxonomy import TAXONOMY, BlockerType, ErrorType

MARKER = "<!-- agent-engine:pr-comment -->"
MAX_BODY = 60_000  # GitHub refuses comment bodies over 65,536 characters
_INFRA = (BlockerType.INFRASTRUCTURE, BlockerType.TRANSIENT, BlockerType.EXTERNAL)


def render(run: RunRecord, page_url: str = "") -> str:
    """The comment's markdown for this run (the same text goes to the job summary)."""
    link = f" · [dashboard]({page_url})" if page_url else ""
    head = [MARKER, f"### Agent Engine · run {run.run_id} ({run.job}){link}", ""]
    if run.outcome == "success":
        passed = f"✅ All {run.tests.total} tests passed on `{run.sha[:7]}`."
        return "\n".join([*head, passed]) + "\n"
    sections: list[tuple[str, list[str]]] = []
    blocker = _blocker(run.error_type)
    heal = run.self_heal
    healed = heal is not None and heal.verdict == "healed"
    if blocker is BlockerType.CODE and not run.failing_on_base and not healed:
        sections.append(("New failures caused by this change", [_verdict(run)]))
    if run.flaky_tests:
        passed_by = "the self-heal rerun" if healed else "another run"
        sections.append(
            (
                "Flaky",
                [
                    f"- `{t}`: failed in attempt {run.run_attempt}, passed in {passed_by}"
                    for t in run.flaky_tests[:10]
                ],
            )
        )
    if run.failing_on_base:
        sections.append(("Already failing on the base branch", [_verdict(run)]))
    if blocker in _INFRA and not run.failing_on_base:
        did = (
            f" Self-heal: **{heal.verdict}**, {heal.reason or heal.decision_reason}" if heal else ""
        )
        sections.append(("Infrastructure", [_verdict(run) + did]))
    if heal and healed:
        actions = ", ".join(f"`{a.action}`" for a in heal.actions) or "a rerun"
        sections.append(("Healed by self-heal", [f"- {heal.reason} ({actions})"]))
    fix = run.fix
    if fix and fix.patch:
        said = fix.outcome == "needs_manual_review"
        review = " — **needs manual review**" if fix.needs_manual_review and not said else ""
        items = [
            f"- `{fix.patch_file}` ({fix.outcome.replace('_', ' ')}{review}): "
            f"{fix.reason}. Suggested branch `{fix.branch}`; in the run's "
            f"`fix-agent` artifact{link}. Nothing was pushed."
        ]
        items += [
            f"  - `{_code(before)}` → `{_code(after)}`"
            for before, after in _changed_lines(fix.patch)[:5]
        ]
        fence = "~~~~"  # a diff may hold backticks; it never holds this fence on its own line
        items += [
            "",
            "<details><summary>The patch</summary>",
            "",
            f"{fence}diff",
            fix.patch.replace(f"\n{fence}", "\n~~~ ~").rstrip(),
            fence,
            "</details>",
        ]
        sections.append(("A fix patch is ready", items))
    body = []
    for title, items in sections:
        body += [f"#### {title}", "", *items, ""]
    text = "\n".join(head + body).rstrip() + "\n"
    if len(text) > MAX_BODY and "\n<details>" in text:  # the patch does not fit: point to it
        text = text[: text.index("\n<details>")] + f"\n(the patch is in the artifact{link})\n"
    return text if len(text) <= MAX_BODY else text[:MAX_BODY] + "\n\n…(cut; see the dashboard)\n"


def _blocker(error_type: str) -> BlockerType | None:
    try:
        return TAXONOMY[ErrorType(error_type)].blocker
    except ValueError:
        return None


def _verdict(run: RunRecord) -> str:
    said = _HEADLINE.sub("", run.summary, count=1)  # the summary starts with the verdict too
    lines = [f"- **{run.error_type}** ({run.confidence:.0%} confidence): {said}"]
    if run.evidence:
        first = run.evidence[0]
        lines.append(f"  - evidence `{first.log}:{first.line}`: `{_code(first.text)}`")
    for test in run.failed_tests[:5]:
        where = f" ({test.file}:{test.line})" if test.file and test.line else ""
        broke = f": `{test.action or 'use'}` on `{_code(test.locator)}`" if test.locator else ""
        lines.append(f"  - failed: `{_code(test.id)}`{where}{broke}")
    if len(run.failed_tests) > 5:
        lines.append(f"  - … and {len(run.failed_tests) - 5} more")
    if run.reproduce:
        lines.append(f"  - reproduce: {_command(run.reproduce)}")
    return "\n".join(lines)


_HEADLINE = re.compile(r"^[a-z_]+ \([0-9]+%\): ")
MAX_COMMAND = 300


def _command(command: str) -> str:
    """The reproduce command in a code span, never cut inside a word or a quote: when it is
    long, what does not fit is counted after it."""
    try:
        words = shlex.split(command)
    except ValueError:
        return f"`{_code(command)}`"
    kept: list[str] = []
    for word in words:
        if kept and len(shlex.join([*kept, word])) > MAX_COMMAND:
            break
        kept.append(word)
    rest = len(words) - len(kept)
    more = f" (and {rest} more argument{'s' if rest > 1 else ''})" if rest else ""
    return f"`{shlex.join(kept).replace('`', chr(39))}`{more}"


def _changed_lines(patch: str) -> list[tuple[str, str]]:
    """(removed, added) line pairs of a unified diff, in order."""
    lines = patch.splitlines()
    removed = [x[1:].strip() for x in lines if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++")]
    return list(zip(removed, added, strict=False))


def _code(text: str) -> str:
    """Inline code that cannot break out of its backticks or run long."""
    return text.replace("`", "'").replace("\n", " ").strip()[:300]
