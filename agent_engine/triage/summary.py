"""Short human-readable summaries of a classification, for terminals and job logs."""

from __future__ import annotations

from agent_engine.contracts import Analysis, Classification, FailedTest

MAX_TESTS_SHOWN = 10


def render_text(verdict: Classification) -> str:
    """A few lines: the verdict, the deciding evidence, the failed tests and the next step."""
    lines = [
        f"{verdict.error_type.value} ({verdict.blocker_type.value}), "
        f"confidence {verdict.confidence:.2f}",
        f"  {verdict.summary}",
    ]
    winners = [e for e in verdict.evidence if e.error_type is verdict.error_type]
    if winners:
        lines.append("evidence:")
        lines += [f"  {e.log}:{e.line} [{e.rule_id}] {e.text.strip()[:200]}" for e in winners]
    if verdict.alternatives:
        lines.append(
            "alternatives: "
            + ", ".join(f"{a.error_type.value} {a.confidence:.2f}" for a in verdict.alternatives)
        )
    if verdict.failed_tests:
        lines.append(f"failed tests ({verdict.failed_tests_total}):")
        lines += [f"  {_test_line(t)}" for t in verdict.failed_tests[:MAX_TESTS_SHOWN]]
        hidden = verdict.failed_tests_total - min(len(verdict.failed_tests), MAX_TESTS_SHOWN)
        if hidden > 0:
            lines.append(f"  … and {hidden} more")
    lines += [f"next step: {verdict.next_step}", f"signature: {verdict.signature}"]
    return "\n".join(lines)


def _test_line(test: FailedTest) -> str:
    parts = [test.id]
    if test.locator or test.action:
        parts.append(f"{test.action or '?'} on {test.locator or '?'}")
    if test.file and test.line:
        parts.append(f"({test.file}:{test.line})")
    if test.message and not test.locator:
        parts.append(f"- {test.message.strip()[:120]}")
    return "  ".join(parts)


def job_summary(analysis: Analysis, where: str) -> str:
    """Markdown for GitHub's job summary: the verdict, its top evidence and where the batch went."""
    verdict = analysis.classification
    local = " (classified locally)" if analysis.source == "local" else ""
    lines = [
        "### Agent Engine: CI failure analysis",
        "",
        f"**{verdict.error_type.value}** ({verdict.blocker_type.value}), confidence "
        f"{verdict.confidence:.2f}{local}",
        "",
    ]
    if verdict.evidence:
        top = verdict.evidence[0]
        lines += [
            f"Evidence, `{top.log}` line {top.line}:",
            "",
            "```",
            top.text.strip()[:300],
            "```",
            "",
        ]
    lines += [f"Next step: {analysis.next_step}", "", f"Batch: {where}", ""]
    return "\n".join(lines) + "\n"
