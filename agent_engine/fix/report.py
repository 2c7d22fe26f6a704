"""What the fix agent writes besides the patch: fix-agent/metadata-<run_id>.json with the heal
evidence, the guardrail report and the validation runs, and the commit message and PR body a
later step (or a human) would use."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agent_engine.contracts import Contract, ShortText, Text, Versioned
from agent_engine.fix.guardrails import RuleResult, Violation
from agent_engine.heal.process import ProcessRecord

Outcome = Literal["validated", "needs_manual_review", "refused", "abstained", "not_applicable"]


class HealRecord(Contract):
    """heal_locator's answer for one failing locator, with its evidence."""

    test_ids: list[ShortText]
    file: ShortText
    line: int | None = None
    locator: ShortText
    action: ShortText
    outcome: ShortText
    replacement: ShortText = ""
    score: float = 0.0
    margin: float = 0.0
    reason: Text = ""
    candidates: list[dict[str, Any]] = Field(default_factory=list)


class Edit(Contract):
    file: ShortText
    line: int
    before: Text
    after: Text
    tests: list[ShortText]


class GuardrailReport(Contract):
    decision: Literal["pass", "refuse", "not_run"]
    fix_class: ShortText
    rules: list[RuleResult] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)
    worktree_clean: bool = True


class Validation(Contract):
    status: Literal[
        "validated", "failed", "not_reproduced", "over_budget", "not_configured", "not_run"
    ]
    reason: Text = ""
    command: list[str] = Field(default_factory=list)
    tests: list[ShortText] = Field(default_factory=list)
    also_checked: list[ShortText] = Field(
        default_factory=list, description="edited test files run whole, before and after"
    )
    kept_green: list[ShortText] = Field(
        default_factory=list, description="tests that passed without the patch and must with it"
    )
    required_runs: int = 0
    passed_runs: int = 0
    budget_s: float = 0.0
    reproduced: bool | None = None
    baseline_error_type: ShortText = ""
    baseline: ProcessRecord | None = None
    runs: list[ProcessRecord] = Field(default_factory=list)


class FixMetadata(Versioned):
    """fix-agent/metadata-<run_id>.json (spec/contracts.md)."""

    run_id: ShortText
    base_sha: ShortText
    input_sha256: ShortText
    patch_sha256: ShortText
    patch_file: ShortText
    outcome: Outcome
    needs_manual_review: bool
    reason: Text
    strategy: ShortText
    fix_class: ShortText
    risk_class: ShortText
    heals: list[HealRecord] = Field(default_factory=list)
    edits: list[Edit] = Field(default_factory=list)
    guardrails: GuardrailReport
    validation: Validation
    branch: ShortText
    commit_message: Text
    pr_title: ShortText
    pr_body: Text


def merged(heals: list[HealRecord]) -> list[HealRecord]:
    """One record per locator and answer, naming every failing test that shares it."""
    out: dict[tuple[str, ...], HealRecord] = {}
    for heal in heals:
        key = (heal.file, heal.locator, heal.action, heal.outcome, heal.replacement, heal.reason)
        if key in out:
            out[key].test_ids = sorted({*out[key].test_ids, *heal.test_ids})
        else:
            out[key] = heal.model_copy(deep=True)
    return list(out.values())


def rules_of(found: list[Violation]) -> str:
    return ", ".join(sorted({v.rule for v in found}))


def commit_message(meta: FixMetadata, title: str) -> str:
    lines = [title, ""]
    lines += [f"- {e.file}:{e.line}: {e.before} -> {e.after}" for e in meta.edits]
    lines += ["", f"Prepared by Agent Engine for run {meta.run_id}: {meta.reason}."]
    return "\n".join(lines)


def pr_body(meta: FixMetadata) -> str:
    """The pull request's description: the change, why, the guardrails and the validation."""
    out = [
        f"**Agent Engine** prepared this patch for run `{meta.run_id}` "
        f"(strategy `{meta.strategy}`, risk `{meta.risk_class}`). Outcome: **{meta.outcome}**: "
        f"{meta.reason}.",
        "",
    ]
    if meta.edits:
        out += [
            "### Changes",
            "",
            "| File | Line | Before | After | Tests |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| `{e.file}` | {e.line} | `{e.before}` | `{e.after}` | {len(e.tests)} |"
            for e in meta.edits
        ]
        out.append("")
    healed = [h for h in meta.heals if h.outcome == "healed"]
    if healed:
        out += ["### Evidence (heal_locator)", ""]
        out += [
            f"- `{h.locator}` -> `{h.replacement}`: score {h.score:.2f}, margin {h.margin:.2f}"
            for h in healed
        ]
        out.append("")
    guard = meta.guardrails
    out += [f"### Guardrails: {guard.decision}", ""]
    out += [f"- `{v.rule}`: {v.observed} (allowed: {v.threshold})" for v in guard.violations]
    if guard.decision == "pass":
        caps = [r for r in guard.rules if r.rule.startswith("too_many_")]
        out.append(
            f"All {len(guard.rules)} rules pass; "
            + ", ".join(f"{r.rule[9:]} {r.observed} ({r.threshold})" for r in caps)
            + "."
        )
    out += [
        "",
        f"### Validation: {meta.validation.status}",
        "",
        meta.validation.reason or "-",
    ]
    for record in ([meta.validation.baseline] if meta.validation.baseline else []) + list(
        meta.validation.runs
    ):
        out.append(f"- {record.name}: exit {record.exit_code} in {record.duration_s:.1f}s")
    out += ["", "Nothing was pushed by the agent; review before merging."]
    return "\n".join(out)
