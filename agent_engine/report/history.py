"""The dashboard's history (`data.json`): one record per run, merged newest first under a
retention limit, and what the pages show of it: pass rate, failure classes, flaky tests,
failure signatures, each test's history."""

from __future__ import annotations

import hashlib
import re
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
class SignatureHistory:
    """A failure signature and every kept run where it happened, newest first."""

    signature: str
    slug: str
    error_type: str
    runs: list[RunRecord]

    @property
    def count(self) -> int:
        return len(self.runs)

    @property
    def first_seen(self) -> str:
        return self.runs[-1].created_at

    @property
    def last_seen(self) -> str:
        return self.runs[0].created_at

    @property
    def last_run(self) -> str:
        return self.runs[0].run_key


@dataclass(frozen=True, slots=True)
class TestRun:
    """One run as a test's page shows it: did the test pass, fail or flake there."""

    run: RunRecord
    state: str  # passed | failed | flaky


@dataclass(frozen=True, slots=True)
class TestHistory:
    id: str
    slug: str
    runs: list[TestRun]  # newest first, at most TEST_STRIP
    failed: int
    flaky: int
    seen: int

    @property
    def flake_rate(self) -> float:
        return self.flaky / self.seen if self.seen else 0.0


TEST_STRIP = 100
MAX_TEST_PAGES = 500


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


def flaky_runs(runs: list[RunRecord]) -> dict[str, list[RunRecord]]:
    """For each test, the runs where it failed and then passed on the same commit: within the
    run (a self-heal rerun passed it) or in a later attempt of the same workflow run (a re-run
    passed it). Separate runs of a commit are not compared: they may differ in more than chance."""
    found: dict[str, dict[str, RunRecord]] = defaultdict(dict)
    attempts: dict[tuple[str, str, str], list[RunRecord]] = defaultdict(list)
    for run in runs:
        attempts[(run.sha, run.run_id, run.job)].append(run)
        for test in run.flaky_tests:
            found[test][run.run_key] = run
    for same in attempts.values():
        for run in same:
            later = [o for o in same if o.run_attempt > run.run_attempt and o.tests.total]
            for test in _failed(run) - set(run.flaky_tests):
                if any(test not in _failed(o) for o in later):
                    found[test][run.run_key] = run
    return {test: list(by_run.values()) for test, by_run in found.items()}


def flakiest(runs: list[RunRecord], limit: int = 15) -> list[FlakyTest]:
    """The tests that flaked in the most runs (`flaky_runs`)."""
    flaky = flaky_runs(runs)
    total = sum(1 for r in runs if r.tests.total) or len(runs)
    ranked = sorted(flaky.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [
        FlakyTest(test, len(seen), total, max(r.created_at for r in seen)) for test, seen in ranked
    ]


def _failed(run: RunRecord) -> set[str]:
    return {t.id for t in run.failed_tests}


def signature_histories(runs: list[RunRecord]) -> list[SignatureHistory]:
    """Every failure signature with its failed runs, the most frequent first."""
    seen: dict[str, list[RunRecord]] = defaultdict(list)
    for run in sorted(runs, key=_newest, reverse=True):
        if run.outcome == "failure" and run.signature:
            seen[run.signature].append(run)
    return [
        SignatureHistory(sig, slug(sig), same[0].error_type, same)
        for sig, same in sorted(seen.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def recurring(runs: list[RunRecord], limit: int = 15) -> list[SignatureHistory]:
    """Failure signatures seen in more than one run, most frequent first."""
    return [h for h in signature_histories(runs) if h.count > 1][:limit]


def test_histories(runs: list[RunRecord]) -> list[TestHistory]:
    """A history for each test that failed or flaked in a kept run (most first): its state in
    each of the latest runs that ran tests. A test a run does not name as failed or flaky passed
    there (the run ran its suite). Flaky as `flaky_runs` says, so the index agrees."""
    ran = sorted((r for r in runs if r.tests.total), key=_newest, reverse=True)
    states: dict[str, dict[str, str]] = defaultdict(dict)  # test -> run key -> state
    for run in ran:
        for failed_test in run.failed_tests:
            states[failed_test.id][run.run_key] = "failed"
    for test_id, flaked in flaky_runs(ran).items():
        for run in flaked:
            states[test_id][run.run_key] = "flaky"
    histories = []
    for test_id, by_run in states.items():
        failed = sum(v == "failed" for v in by_run.values())
        flaky = len(by_run) - failed
        strip = [TestRun(r, by_run.get(r.run_key, "passed")) for r in ran[:TEST_STRIP]]
        histories.append(TestHistory(test_id, slug(test_id), strip, failed, flaky, len(ran)))
    histories.sort(key=lambda h: (-(h.failed + h.flaky), h.id))
    return histories[:MAX_TEST_PAGES]


def _newest(run: RunRecord) -> tuple[str, str]:
    return run.created_at, run.run_key


def slug(text: str) -> str:
    """A file name for a test id or a signature: readable, safe, unique (a hash suffix)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", text.rsplit("/", 1)[-1]).strip("-.")[:60]
    return f"{readable or 'x'}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


_HEADLINE = re.compile(r"^[a-z_]+ \([0-9]+%\): ")


def said(summary: str) -> str:
    """A verdict's summary without its leading `type (NN%): `, for a page that shows both."""
    return _HEADLINE.sub("", summary, count=1)
