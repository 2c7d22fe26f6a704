"""Self-heal's I/O around the pure decision: gather the context, run the allowed actions and
the rerun of the failed tests through the process runner, and report with full evidence."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_engine.contracts import Analysis, TestResult, Versioned
from agent_engine.heal import backend
from agent_engine.heal.policy import RUNNABLE, Context, Decision, LedgerEntry
from agent_engine.heal.process import Limits, ProcessRecord, run
from agent_engine.settings import Settings, expand
from agent_engine.taxonomy import HealAction
from agent_engine.triage.classify import Classifier, LogSource
from agent_engine.triage.junit import outcomes, read_cases

# the repairs on the suite's side, run in the suite's environment
_SUITE_SIDE = frozenset({HealAction.REGENERATE_STORAGE_STATE, HealAction.INSTALL_BROWSERS})

Verdict = Literal["healed", "still_failing", "different_failure", "not_run"]


class ActionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: HealAction
    ok: bool
    detail: str
    processes: list[ProcessRecord] = Field(default_factory=list)


class Report(Versioned):
    """Everything execute did (self-heal/report-<run_id>.json)."""

    run_id: str
    decision_sha256: str
    verdict: Verdict
    reason: str
    actions: list[ActionResult] = Field(default_factory=list)
    rerun: ProcessRecord | None = None
    rerun_results: list[TestResult] = Field(default_factory=list)
    flaky_tests: list[str] = Field(default_factory=list)
    ledger: list[LedgerEntry] = Field(default_factory=list)


def runnable(settings: Settings) -> list[HealAction]:
    """The actions that have what they need in agent-engine.toml."""
    commands = settings.self_heal.commands
    have = {
        HealAction.RERUN_FAILED: settings.e2e is not None,
        HealAction.RESTART_BACKEND: settings.app is not None,
        HealAction.RESEED_DB: commands.reseed_db is not None,
        HealAction.REGENERATE_STORAGE_STATE: commands.regenerate_storage_state is not None,
        HealAction.RESTART_DATABASE: commands.restart_database is not None,
        HealAction.INSTALL_BROWSERS: commands.install_browsers is not None,
    }
    return [a for a in RUNNABLE if have.get(a)]


def ledger(reports: Path) -> list[LedgerEntry]:
    """The attempt ledger travels in the reports of earlier attempts."""
    entries: list[LedgerEntry] = []
    for path in sorted(reports.glob("report-*.json")) if reports.is_dir() else []:
        try:
            entries += Report.model_validate_json(path.read_text(encoding="utf-8")).ledger
        except ValueError:
            continue  # a report another version wrote: it cannot count against the cap
    return entries


def build_context(  # noqa: PLR0917 - the context, from its sources
    analysis: Analysis,
    source: Literal["artifact", "service", "local"],
    settings: Settings,
    environ: Mapping[str, str],
    reports: Path,
    total_tests: int,
) -> Context:
    verdict = analysis.classification
    return Context(
        run_id=environ.get("GITHUB_RUN_ID", analysis.run_key),
        sha=environ.get("GITHUB_SHA", ""),
        trigger=environ.get("GITHUB_EVENT_NAME", "workflow_dispatch"),
        error_type=verdict.error_type,
        blocker_type=verdict.blocker_type,
        signature=verdict.signature,
        analysis_source=source,
        failed_tests=[t.id for t in verdict.failed_tests],
        total_tests=total_tests,
        ledger=ledger(reports),
        agent_depth=int(environ.get("AGENT_ENGINE_HEAL_DEPTH", "0")),
        runnable=runnable(settings),
        policy=settings.self_heal.policy,
    )


def count_tests(junit: Path) -> int:
    return len(read_cases([junit]))


def digest(decision: Decision) -> str:
    return hashlib.sha256(decision.model_dump_json().encode()).hexdigest()


class Executor:
    """Runs a decision's actions and the rerun; every child through the process runner."""

    def __init__(self, settings: Settings, out: Path, classifier: Classifier) -> None:
        self.settings = settings
        self.out = out
        self.classifier = classifier
        policy = settings.self_heal.policy
        self.limits = Limits(timeout_s=policy.action_timeout_s, stall_s=policy.stall_timeout_s)
        # each command in the environment its stage ran in: the app's repairs as prepare ran
        # them, the rerun and the sign-in as the suite ran
        self.app_env = {**os.environ, **(settings.app.env if settings.app else {})}
        self.e2e_env = {**os.environ, **(settings.e2e.env if settings.e2e else {})}

    def values(self) -> dict[str, str]:
        base_url = self.settings.app.base_url if self.settings.app else ""
        return {"python": sys.executable, "base_url": base_url}

    def execute(self, decision: Decision) -> Report:
        report = Report(
            run_id=decision.run_id,
            decision_sha256=digest(decision),
            verdict="not_run",
            reason=decision.reason,
        )
        if not decision.allowed:
            return report
        for action in [a for a in decision.actions if a is not HealAction.RERUN_FAILED]:
            result = self.action(action)
            report.actions.append(result)
            report.ledger.append(
                LedgerEntry(
                    sha=decision.sha,
                    signature=decision.signature,
                    action=action,
                    run_id=decision.run_id,
                )
            )
            if not result.ok:
                report.reason = f"{action.value} failed: {result.detail}"
                return report
        report.ledger.append(
            LedgerEntry(
                sha=decision.sha,
                signature=decision.signature,
                action=HealAction.RERUN_FAILED,
                run_id=decision.run_id,
            )
        )
        return self.rerun(decision, report)

    def action(self, action: HealAction) -> ActionResult:
        if action is HealAction.RESTART_BACKEND:
            return self.restart_backend()
        command = getattr(self.settings.self_heal.commands, action.value)
        record = run(
            action.value,
            expand(command, **self.values()),
            self.out / "logs",
            limits=self.limits,
            env=self.e2e_env if action in _SUITE_SIDE else self.app_env,
        )
        ok = record.exit_code == 0 and not (record.timed_out or record.stalled)
        return ActionResult(
            action=action,
            ok=ok,
            processes=[record],
            detail=f"exit {record.exit_code}" + _why(record),
        )

    def restart_backend(self) -> ActionResult:
        app = self.settings.app
        assert app is not None
        pid_file = self.out / "backend.pid"
        backend.stop(pid_file)
        pid = backend.start(app, pid_file)
        health = backend.wait_healthy(app.health_url, app.health_timeout_s, pid)
        return ActionResult(
            action=HealAction.RESTART_BACKEND,
            ok=health.ok,
            detail=f"pid {pid}: {health.detail} after {health.seconds:.1f}s",
        )

    def rerun(self, decision: Decision, report: Report) -> Report:
        e2e = self.settings.e2e
        assert e2e is not None
        e2e.rerun_junit.unlink(missing_ok=True)
        argv = expand(e2e.run_subset, tests=list(decision.tests), **self.values())
        report.rerun = run("rerun", argv, self.out / "logs", limits=self.limits, env=self.e2e_env)
        cases = read_cases([e2e.rerun_junit])
        report.rerun_results = [c.result for c in cases]
        # healed only when the report shows every failed test executed and passed (a skipped
        # or deselected one proves nothing)
        still = [t for t, o in outcomes(cases, decision.tests).items() if o != "passed"]
        if report.rerun_results and not still:
            report.verdict, report.reason = "healed", "every failed test passes now"
            report.flaky_tests = list(decision.tests) if len(report.actions) == 0 else []
            return report
        # both streams: a rerun that dies on an import error says so on stderr
        verdict = self.classifier.classify(
            [LogSource.from_path(Path(p)) for p in (report.rerun.stdout, report.rerun.stderr)],
            [LogSource.from_path(e2e.rerun_junit)] if e2e.rerun_junit.exists() else [],
        )
        same = verdict.signature == decision.signature
        report.verdict = "still_failing" if same else "different_failure"
        report.reason = (
            f"{len(still)} test(s) still fail: {verdict.error_type.value} "
            f"({'same' if same else 'different'} signature)"
        )
        return report


def _why(record: ProcessRecord) -> str:
    flags = [n for n in ("timed_out", "stalled", "output_capped") if getattr(record, n)]
    return f" ({', '.join(flags)}; ended by {record.ended_by})" if flags else ""
