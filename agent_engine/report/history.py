"""The dashboard's history (`data.json`): one record per run, merged newest first under a
retention limit, and what the index shows of it: pass rate, failure classes, flaky tests,
recurring signatures."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from agent_engine.contracts import (
    Contract,
    LogLine,
    Outcome,
    RunSummary,
    ShortText,
    Text,
    Versioned,
)
from agent_engine.fix.guardrails import RuleResult, Violation

DEFAULT_RETENTION = 500
MAX_PATCH_CHARS = 64_000


class TestCounts(Contract):
    __test__ = False  # not a pytest class

    total: int = Field(default=0, ge=0)
    passed: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)
    skipped: int = Field(default=0, ge=0)


class EvidenceLine(Contract):
    log: ShortText
    line: int
    text: Text
    rule_id: ShortText
    error_type: ShortText
    context: list[LogLine] = Field(default_factory=list)


class Artifact(Contract):
    kind: ShortText  # trace | screenshot | dom_snapshot | video
    path: ShortText


class FailedTestRecord(Contract):
    id: ShortText
    file: ShortText = ""
    line: int | None = None
    message: Text = ""
    locator: ShortText = ""  # what broke, when a locator did
    action: ShortText = ""
    artifacts: list[Artifact] = Field(default_factory=list)


class ActionRecord(Contract):
    action: ShortText
    ok: bool
    detail: Text
    argv: list[str] = Field(default_factory=list)
    exit_code: int | None = None
    duration_s: float = 0.0
    stdout_tail: Text = ""
    stderr_tail: Text = ""


class SelfHealRecord(Contract):
    allowed: bool | None = None
    decision_reason: Text = ""
    rules: list[tuple[ShortText, bool, Text]] = Field(default_factory=list)
    verdict: ShortText = "not_run"
    reason: Text = ""
    actions: list[ActionRecord] = Field(default_factory=list)
    flaky_tests: list[ShortText] = Field(default_factory=list)


class ValidationRun(Contract):
    name: ShortText
    exit_code: int | None
    duration_s: float


class HealCandidate(Contract):
    """One element the healer ranked: the locator it would become and its score per feature."""

    replacement: ShortText = ""
    score: float = 0.0
    features: dict[ShortText, float] = Field(default_factory=dict)
    tag: ShortText = ""
    text: ShortText = ""


class HealView(Contract):
    """The healer's answer for one broken locator: what it was, what it became, and why."""

    locator: ShortText
    action: ShortText = ""
    outcome: ShortText
    replacement: ShortText = ""
    score: float = 0.0
    margin: float = 0.0
    reason: Text = ""
    file: ShortText = ""
    line: int | None = None
    tests: list[ShortText] = Field(default_factory=list)
    candidates: list[HealCandidate] = Field(default_factory=list, max_length=5)


class FixRecord(Contract):
    outcome: ShortText
    reason: Text
    needs_manual_review: bool
    risk_class: ShortText
    branch: ShortText
    patch_file: ShortText
    patch: Text = ""
    guardrails: list[RuleResult] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)
    validation_status: ShortText = ""
    validation_reason: Text = ""
    validation_runs: list[ValidationRun] = Field(default_factory=list)
    heals: list[HealView] = Field(default_factory=list, max_length=20)


class RunRecord(Contract):
    """One run as the dashboard keeps it."""

    run_key: ShortText
    repository: ShortText
    run_id: ShortText
    run_attempt: int = 1
    job: ShortText = ""
    sha: ShortText = ""
    ref: ShortText = ""
    base_ref: ShortText = ""
    pr_number: int | None = None
    url: ShortText = ""
    created_at: ShortText
    outcome: Literal["success", "failure"]
    error_type: ShortText = ""
    confidence: float = 0.0
    summary: Text = ""
    signature: ShortText = ""
    next_step: Text = ""
    tests: TestCounts = Field(default_factory=TestCounts)
    failed_tests: list[FailedTestRecord] = Field(default_factory=list, max_length=100)
    flaky_tests: list[ShortText] = Field(default_factory=list)
    failing_on_base: bool = False
    seen_before: int = 0
    evidence: list[EvidenceLine] = Field(default_factory=list, max_length=20)
    alternatives: list[tuple[ShortText, float]] = Field(default_factory=list)
    self_heal: SelfHealRecord | None = None
    fix: FixRecord | None = None
    reproduce: Text = ""


class DashboardData(Versioned):
    """data.json: the history the site is built from, newest run first."""

    kind: Literal["agent-engine-dashboard"] = "agent-engine-dashboard"
    retention: int = Field(default=DEFAULT_RETENTION, ge=1)
    runs: list[RunRecord] = Field(default_factory=list)


def from_summary(summary: RunSummary) -> RunRecord:
    """A run the Developer-Agent stored (GET /runs), as a record without its details."""
    return RunRecord(
        run_key=summary.run_key,
        repository=summary.repository,
        run_id=summary.run_id,
        run_attempt=summary.run_attempt,
        job=summary.job,
        sha=summary.sha,
        ref=summary.ref,
        base_ref=summary.base_ref,
        pr_number=summary.pr_number,
        created_at=summary.created_at,
        outcome="success" if summary.outcome is Outcome.SUCCESS else "failure",
        error_type=summary.error_type.value,
        confidence=summary.confidence,
        signature=summary.signature,
    )


def merge(
    history: Iterable[RunRecord], new: Iterable[RunRecord], retention: int
) -> list[RunRecord]:
    """Newest first, one record per run key (the newer copy wins), at most `retention`."""
    by_key = {r.run_key: r for r in history}
    by_key |= {r.run_key: r for r in new}
    ordered = sorted(by_key.values(), key=lambda r: (r.created_at, r.run_key), reverse=True)
    return ordered[:retention]


# --- what the index shows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlakyTest:
    id: str
    flaky_runs: int
    runs: int
    last_seen: str

    @property
    def rate(self) -> float:
        return self.flaky_runs / self.runs if self.runs else 0.0


@dataclass(frozen=True, slots=True)
class Signature:
    signature: str
    error_type: str
    count: int
    first_seen: str
    last_seen: str
    last_run: str


def pass_rates(runs: list[RunRecord], limit: int = 60) -> list[tuple[str, float]]:
    """(run key, share of tests passed), oldest first, for the runs that ran tests."""
    recent = [r for r in runs if r.tests.total][:limit]
    return [(r.run_key, r.tests.passed / r.tests.total) for r in reversed(recent)]


def classes_by_day(runs: list[RunRecord], days: int = 14) -> list[tuple[str, Counter[str]]]:
    """Failed runs per error type for each of the latest `days` days that had runs."""
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for run in runs:
        day = per_day[run.created_at[:10]]  # a day with only green runs shows, empty
        if run.outcome == "failure":
            day[run.error_type or "unknown"] += 1
    return sorted(per_day.items())[-days:]


def flakiest(runs: list[RunRecord], limit: int = 15) -> list[FlakyTest]:
    """Tests that failed and then passed on the same commit: within a run (a self-heal rerun
    passed them) or across the attempts of one workflow run (a re-run passed them). Separate
    runs of a commit are not compared: they may differ in more than chance."""
    flaky: Counter[str] = Counter()
    last: dict[str, str] = {}
    attempts: dict[tuple[str, str, str], list[RunRecord]] = defaultdict(list)
    for run in runs:
        attempts[(run.sha, run.run_id, run.job)].append(run)
        for test in run.flaky_tests:
            flaky[test] += 1
            last[test] = max(last.get(test, ""), run.created_at)
    for same in attempts.values():
        for run in same:
            later = [o for o in same if o.run_attempt > run.run_attempt and o.tests.total]
            for test in {t.id for t in run.failed_tests} - set(run.flaky_tests):
                if any(test not in _failed(o) for o in later):
                    flaky[test] += 1
                    last[test] = max(last.get(test, ""), run.created_at)
    total = sum(1 for r in runs if r.tests.total) or len(runs)
    ranked = sorted(flaky.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [FlakyTest(test, count, total, last[test]) for test, count in ranked]


def _failed(run: RunRecord) -> set[str]:
    return {t.id for t in run.failed_tests}


def recurring(runs: list[RunRecord], limit: int = 15) -> list[Signature]:
    """Failure signatures seen in more than one run, most frequent first."""
    seen: dict[str, list[RunRecord]] = defaultdict(list)
    for run in runs:
        if run.outcome == "failure" and run.signature:
            seen[run.signature].append(run)
    found = [
        Signature(
            signature,
            same[0].error_type,
            len(same),
            min(r.created_at for r in same),
            max(r.created_at for r in same),
            max(same, key=lambda r: r.created_at).run_key,
        )
        for signature, same in seen.items()
        if len(same) > 1
    ]
    return sorted(found, key=lambda s: (-s.count, s.signature))[:limit]
