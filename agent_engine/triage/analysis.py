"""The Developer-Agent's answer to a batch: verdict, history, self-heal plan, fix instructions,
triggers. Pure functions over the contract models."""

from __future__ import annotations

import hashlib
import re

from agent_engine.contracts import (
    RUN_KEY_PATTERN,
    Analysis,
    ArtifactLink,
    Classification,
    FailedTest,
    FixAgentInstructions,
    FixTarget,
    History,
    LogBatch,
    LogKind,
    RunInfo,
    SelfHealPlan,
    TestOutcome,
    TestResult,
    Trigger,
)
from agent_engine.taxonomy import TAXONOMY, ErrorType, FixStrategy
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.redact import redact_all

DEFAULT_MAX_ATTEMPTS = 2
FIX_CONSTRAINTS = (
    "edit only the E2E test and page-object files",
    "a locator fix changes at most 1 file and 10 lines",
    "never weaken a test: no skip, xfail or fixme, no removed assertion, no raised timeout",
    "nothing is pushed: the patch and its metadata are artifacts",
)


_RUN_KEY = re.compile(RUN_KEY_PATTERN)


def run_key(run: RunInfo) -> str:
    """Repository, run id, attempt and job, joined by `~` (in none of their alphabets):
    unique per job run, one safe path segment (contracts.RUN_KEY_PATTERN)."""
    owner, repo = run.repository.split("/")
    return f"{owner}~{repo}~{run.run_id}~{run.run_attempt}~{run.job}"


def repository_of(key: str) -> str | None:
    """The repository a well-formed run key names; None for anything else."""
    found = _RUN_KEY.match(key)
    return f"{found['owner']}/{found['repo']}" if found else None


def body_hash(batch: LogBatch) -> str:
    """A hash of the validated content, the same whatever the encoding or key order."""
    return hashlib.sha256(batch.model_dump_json().encode()).hexdigest()


def redact_batch(batch: LogBatch, budget_s: float | None = None) -> LogBatch:
    """The batch with every secret in its free text replaced: logs, test ids and messages,
    artifact names and links, and the run's own text (ref, actor, workflow, url...). A value
    declared with `::add-mask::` in any of them is masked in all; with `budget_s`, a batch that
    takes longer is refused (`RedactionError`, 413) rather than passed on half redacted."""
    texts = [log.content for log in batch.logs]
    texts += [text for t in batch.tests for text in (t.id, t.message)]
    texts += [text for a in batch.artifacts for text in (a.name, a.url)]
    texts += [getattr(batch.run, f) for f in _RUN_TEXT]
    clean = iter(redact_all(texts, budget_s))
    logs = [log.model_copy(update={"content": next(clean)}) for log in batch.logs]
    tests = [t.model_copy(update={"id": next(clean), "message": next(clean)}) for t in batch.tests]
    links = [
        ArtifactLink(name=_safe_name(a.name, next(clean)), url=next(clean)) for a in batch.artifacts
    ]
    run = batch.run.model_copy(update={f: next(clean) for f in _RUN_TEXT})
    return batch.model_copy(update={"logs": logs, "tests": tests, "artifacts": links, "run": run})


_RUN_TEXT = ("workflow", "event", "ref", "base_ref", "actor", "url")


def _safe_name(name: str, redacted: str) -> str:
    """A name keeps its safe alphabet: one that held a secret becomes `redacted`."""
    return name if redacted == name else "redacted"


def classify_batch(classifier: Classifier, batch: LogBatch) -> Classification:
    """Classify the batch's logs (JUnit logs as reports) and fill in tests it reports."""
    logs = [LogSource.from_text(f.name, f.content) for f in batch.logs if f.kind != LogKind.JUNIT]
    junit = [LogSource.from_text(f.name, f.content) for f in batch.logs if f.kind == LogKind.JUNIT]
    verdict = classifier.classify(logs, junit)
    if verdict.failed_tests:
        return verdict
    reported = [_failed_test(t) for t in batch.tests if t.outcome in _FAILED][:500]
    return verdict.model_copy(
        update={"failed_tests": reported, "failed_tests_total": len(reported)}
    )


_FAILED = (TestOutcome.FAILED, TestOutcome.ERROR)


def _failed_test(test: TestResult) -> FailedTest:
    return FailedTest(id=test.id, file=test.file, line=test.line, message=test.message[:2000])


def analyse(batch: LogBatch, verdict: Classification, history: History) -> Analysis:
    """Everything downstream needs to act on this failure."""
    plan = self_heal_plan(batch, verdict, history)
    instructions = fix_instructions(verdict)
    info = TAXONOMY[verdict.error_type]
    escalate = info.escalate_after_attempts == 0 or (
        history.seen_before >= info.escalate_after_attempts
    )
    triggers = [
        Trigger(
            name="self_heal",
            fires=plan.eligible,
            condition="workflow_dispatch after an E2E failure, for an eligible error type",
        ),
        Trigger(
            name="fix_agent",
            fires=instructions.applicable,
            condition="locator_not_found with a known failing locator",
        ),
        Trigger(
            name="escalate",
            fires=escalate and verdict.error_type is not ErrorType.UNKNOWN,
            condition="no safe repair exists, or the same signature keeps recurring",
        ),
        Trigger(
            name="pr_comment",
            fires=batch.run.pr_number is not None,
            condition="the run belongs to a pull request",
        ),
        Trigger(name="dashboard", fires=True, condition="every analysed run"),
    ]
    return Analysis(
        run_key=run_key(batch.run),
        classification=verdict,
        history=history,
        self_heal_plan=plan,
        fix_agent_instructions=instructions,
        triggers=triggers,
        next_step=next_step(verdict, history),
        escalate_after_attempts=verdict.escalate_after_attempts,
    )


def local_analysis(batch: LogBatch, verdict: Classification) -> Analysis:
    """An analysis made without the service (so without history), marked `source: local`."""
    return analyse(batch, verdict, History()).model_copy(update={"source": "local"})


def self_heal_plan(batch: LogBatch, verdict: Classification, history: History) -> SelfHealPlan:
    """The allow-listed, reversible actions for this error type, unless this run is a storm."""
    actions = list(TAXONOMY[verdict.error_type].actions)
    tests = [t.id for t in verdict.failed_tests]
    total = len(batch.tests)
    if batch.outcome.value != "failure":
        return SelfHealPlan(eligible=False, reason=f"the run's outcome is {batch.outcome.value}")
    if not actions:
        return SelfHealPlan(
            eligible=False, reason=f"{verdict.error_type.value} has no safe repair: escalate"
        )
    if verdict.decided_by == "model":
        return SelfHealPlan(
            eligible=False,
            tests=tests,
            reason=f"{verdict.error_type.value} was named by the learned model alone "
            f"({verdict.confidence:.0%}); no repair runs without a rule's evidence",
        )
    if total and verdict.failed_tests_total * 2 > total:
        return SelfHealPlan(
            eligible=False,
            tests=tests,
            reason=f"{verdict.failed_tests_total} of {total} tests failed: an "
            "infrastructure storm, escalate instead of rerunning",
        )
    flaky = f"; {len(history.flaky_tests)} known flaky" if history.flaky_tests else ""
    return SelfHealPlan(
        eligible=True,
        actions=actions,
        tests=tests,
        max_attempts=DEFAULT_MAX_ATTEMPTS,
        reason=f"{verdict.error_type.value} allows {', '.join(a.value for a in actions)}{flaky}",
    )


def fix_instructions(verdict: Classification) -> FixAgentInstructions:
    """Targets for the deterministic locator healer; other types get no code change."""
    strategy = TAXONOMY[verdict.error_type].fix
    targets = [
        FixTarget(test_id=t.id, file=t.file, line=t.line, locator=t.locator, action=t.action)
        for t in verdict.failed_tests
        if t.locator
    ]
    applicable = (
        strategy is FixStrategy.HEAL_LOCATOR and bool(targets) and verdict.decided_by != "model"
    )
    hints = ["each failure's DOM snapshot is named in the JUnit XML as `dom_snapshot`"]
    return FixAgentInstructions(
        applicable=applicable,
        strategy=strategy if applicable else FixStrategy.NONE,
        targets=targets if applicable else [],
        hints=hints if applicable else [],
        constraints=list(FIX_CONSTRAINTS),
    )


def next_step(verdict: Classification, history: History) -> str:
    if history.failing_on_base:
        return "Already failing on the base branch, so not caused by this change. " + (
            verdict.next_step
        )
    if history.flaky_tests:
        return f"Flaky on this commit ({', '.join(history.flaky_tests[:3])}). {verdict.next_step}"
    return verdict.next_step
