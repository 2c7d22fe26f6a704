"""The static dashboard: a run's record built from its artifacts, and the site (index, one page
per run, data.json) rendered with Jinja2 into a folder that works from file:// and any sub-path."""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from agent_engine.contracts import Analysis, RunInfo, TestOutcome
from agent_engine.fix.report import FixMetadata, HealRecord
from agent_engine.heal.policy import Decision
from agent_engine.heal.process import ProcessRecord
from agent_engine.heal.selfheal import Report
from agent_engine.report import charts
from agent_engine.report.history import (
    MAX_PATCH_CHARS,
    ActionRecord,
    Artifact,
    DashboardData,
    EvidenceLine,
    FailedTestRecord,
    FixRecord,
    HealCandidate,
    HealView,
    RunRecord,
    SelfHealRecord,
    TestCounts,
    ValidationRun,
    classes_by_day,
    flakiest,
    pass_rates,
    recurring,
    said,
    signature_histories,
    test_histories,
)
from agent_engine.settings import expand
from agent_engine.triage.analysis import run_key
from agent_engine.triage.junit import Case
from agent_engine.triage.redact import redact
from agent_engine.triage.signature import normalise

# dashboard_templates/ in the repository, agent_engine/report/templates/ once installed.
TEMPLATES = Path(str(resources.files("agent_engine.report.templates")))
INDEX_RUNS = 50
_ARTIFACTS = {".zip": "trace", ".png": "screenshot", ".webm": "video", ".html": "dom_snapshot"}


def counts(cases: Iterable[Case]) -> TestCounts:
    """Test totals from JUnit cases; a retried test counts once, by its last attempt."""
    last = {c.result.id: c.result.outcome for c in cases}
    outcomes = list(last.values())
    failed = sum(o in (TestOutcome.FAILED, TestOutcome.ERROR) for o in outcomes)
    skipped = sum(o is TestOutcome.SKIPPED for o in outcomes)
    return TestCounts(
        total=len(outcomes), passed=len(outcomes) - failed - skipped, failed=failed, skipped=skipped
    )


def artifacts(cases: Iterable[Case]) -> dict[str, list[Artifact]]:
    """Each failed test's trace, screenshot, video and DOM snapshot (the snapshot's folder)."""
    found: dict[str, list[Artifact]] = {}
    for case in cases:
        snapshot = case.properties.get("dom_snapshot")
        if not snapshot:
            continue
        folder = Path(snapshot).parent
        files = sorted(folder.iterdir()) if folder.is_dir() else [Path(snapshot)]
        found[case.result.id] = [
            Artifact(kind=_ARTIFACTS[f.suffix], path=str(f))
            for f in files
            if f.suffix in _ARTIFACTS
        ]
    return found


def record(  # noqa: PLR0917 - a run's record, from each artifact there is
    run: RunInfo,
    created_at: str,
    tests: TestCounts,
    analysis: Analysis | None,
    decision: Decision | None = None,
    report: Report | None = None,
    fix: tuple[FixMetadata, str] | None = None,
    files: Mapping[str, list[Artifact]] | None = None,
    reproduce: str = "",
) -> RunRecord:
    """The dashboard's record of one run."""
    # The shipper analyses green runs too; a run failed when a test did, or when it has an
    # analysis and no test result at all (it broke before the suite ran).
    failed = tests.failed > 0 or (analysis is not None and tests.total == 0)
    values = {
        "run_key": run_key(run),  # the Developer-Agent's key, so its history merges with ours
        "repository": run.repository,
        "run_id": run.run_id,
        "run_attempt": run.run_attempt,
        "job": run.job,
        "sha": run.sha,
        "ref": run.ref,
        "base_ref": run.base_ref,
        "pr_number": run.pr_number,
        "url": run.url,
        "created_at": created_at,
        "outcome": "failure" if failed else "success",
        "tests": tests,
        "reproduce": reproduce,
        "self_heal": _self_heal(decision, report),
        "fix": _fix(*fix) if fix else None,
    }
    if analysis and failed:
        verdict = analysis.classification
        values |= {
            "error_type": verdict.error_type.value,
            "confidence": verdict.confidence,
            "summary": verdict.summary,
            "signature": verdict.signature,
            "next_step": analysis.next_step,
            "failing_on_base": analysis.history.failing_on_base,
            "seen_before": analysis.history.seen_before,
            "flaky_tests": sorted(
                {*analysis.history.flaky_tests, *(report.flaky_tests if report else [])}
            ),
            "alternatives": [(a.error_type.value, a.confidence) for a in verdict.alternatives],
            "evidence": [
                EvidenceLine.model_validate(e.model_dump()) for e in verdict.evidence[:20]
            ],
            "failed_tests": [
                FailedTestRecord(
                    id=t.id,
                    file=t.file,
                    line=t.line,
                    message=t.message,
                    locator=t.locator,
                    action=t.action,
                    artifacts=(files or {}).get(t.id, []),
                )
                for t in verdict.failed_tests[:100]
            ],
        }
    # The run's fields come from the runner's environment, test ids, messages and artifact names
    # from its files: every text is redacted before a page or a comment can show it.
    return RunRecord.model_validate(_redacted(RunRecord.model_validate(values).model_dump()))


# Texts of a record that identify it and cannot hold a secret.
_IDENTITY = frozenset({"run_key", "sha", "created_at", "outcome", "error_type", "signature"})
JSON = dict[str, "JSON"] | list["JSON"] | tuple["JSON", ...] | str | int | float | bool | None


def _redacted(node: JSON, key: str = "") -> JSON:
    if isinstance(node, str):
        return node if key in _IDENTITY else redact(node)
    if isinstance(node, dict):
        return {k: _redacted(v, k) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_redacted(v, key) for v in node]
    return node


def _self_heal(decision: Decision | None, report: Report | None) -> SelfHealRecord | None:
    if decision is None and report is None:
        return None
    healed = SelfHealRecord()
    if decision:
        healed.allowed, healed.decision_reason = decision.allowed, decision.reason
        healed.rules = [(r.rule, r.passed, r.detail) for r in decision.rules]
    if report:
        healed.verdict, healed.reason = report.verdict, report.reason
        healed.flaky_tests = report.flaky_tests
        healed.actions = [
            _action(a.action.value, a.ok, a.detail, a.processes) for a in report.actions
        ]
        if report.rerun:
            healed.actions.append(
                _action("rerun_failed", report.rerun.exit_code == 0, "", [report.rerun])
            )
    return healed


def _action(name: str, ok: bool, detail: str, processes: list[ProcessRecord]) -> ActionRecord:
    last = processes[-1] if processes else None
    return ActionRecord(
        action=name,
        ok=ok,
        detail=detail,
        argv=last.argv if last else [],
        exit_code=last.exit_code if last else None,
        duration_s=last.duration_s if last else 0.0,
        stdout_tail=last.stdout_tail[-2000:] if last else "",
        stderr_tail=last.stderr_tail[-2000:] if last else "",
    )


def _fix(meta: FixMetadata, patch: str) -> FixRecord:
    validation = meta.validation
    runs = ([validation.baseline] if validation.baseline else []) + list(validation.runs)
    return FixRecord(
        outcome=meta.outcome,
        reason=meta.reason,
        needs_manual_review=meta.needs_manual_review,
        risk_class=meta.risk_class,
        branch=meta.branch,
        patch_file=meta.patch_file,
        patch=patch[:MAX_PATCH_CHARS],
        guardrails=meta.guardrails.rules,
        violations=meta.guardrails.violations,
        validation_status=validation.status,
        validation_reason=validation.reason,
        validation_runs=[
            ValidationRun(name=r.name, exit_code=r.exit_code, duration_s=r.duration_s) for r in runs
        ],
        heals=[_heal(h) for h in meta.heals[:20]],
    )


def _heal(heal: HealRecord) -> HealView:
    """The heal as the run page shows it: the record's own fields, its first 20 tests and its
    top 5 candidates (rows the healer wrote, read with their types)."""
    fields = heal.model_dump(exclude={"test_ids", "candidates"})
    rows = [c for c in heal.candidates if isinstance(c, dict)][:5]
    candidates = [HealCandidate.model_validate(_candidate(row)) for row in rows]
    return HealView.model_validate(fields | {"tests": heal.test_ids[:20], "candidates": candidates})


def _candidate(row: dict[str, object]) -> dict[str, object]:
    """A healer's candidate row (tag, score, features, replacement, text), bounded."""
    return {
        "replacement": str(row.get("replacement") or "")[:1000],
        "score": row.get("score") or 0.0,
        "features": row.get("features") or {},
        "tag": str(row.get("tag") or "")[:100],
        "text": str(row.get("text") or "")[:200],
    }


def reproduction(command: list[str] | None, tests: list[str], base_url: str) -> str:
    """The shell line that reruns the failed tests locally, with the app at `base_url`. Test ids
    are redacted before they are quoted (quoting would hide a secret's shape from redaction)."""
    if not command or not tests:
        return ""
    ids = [redact(test) for test in tests]
    return shlex.join(expand(command, python="python", base_url=base_url, tests=ids))


# --- what the pages show ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """Evidence lines that say the same thing (one rule, one text), shown once."""

    first: EvidenceLine
    text: str  # as shown: a JUnit line as its failure message, not its XML
    places: list[str]
    junit: bool


_XML_MESSAGE = re.compile(r"""\bmessage=(["'])(.*?)\1""", re.DOTALL)
_XML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def shown_text(evidence: EvidenceLine) -> tuple[str, bool]:
    """The evidence as a reader wants it: a JUnit report's line as its failure message."""
    text = evidence.text
    if not (evidence.log.endswith(".xml") or text.lstrip().startswith("<")):
        return text, False
    found = _XML_MESSAGE.search(text)
    plain = found[2] if found else _XML_TAG.sub(" ", text)
    return " ".join(html.unescape(plain).split()) or text, True


def evidence_groups(evidence: Iterable[EvidenceLine]) -> list[EvidenceGroup]:
    groups: dict[tuple[str, str], EvidenceGroup] = {}
    for line in evidence:
        text, junit = shown_text(line)
        key = (line.rule_id, normalise(text))
        place = f"{line.log}:{line.line}"
        if key in groups:
            groups[key].places.append(place)
        else:
            groups[key] = EvidenceGroup(line, text, [place], junit)
    return list(groups.values())


def filter_rows(runs: list[RunRecord]) -> list[list[object]]:
    """What the index's filter searches, one compact row per run (runs.js): key, run id,
    attempt, job, branch or PR, outcome, error type, confidence, when, failed test ids, short
    commit, self-heal verdict, fix outcome."""
    return [
        [
            r.run_key,
            r.run_id,
            r.run_attempt,
            r.job,
            f"PR #{r.pr_number}" if r.pr_number else r.ref.removeprefix("refs/heads/"),
            r.outcome,
            r.error_type,
            round(r.confidence, 2),
            r.created_at[:16].replace("T", " "),
            [t.id for t in r.failed_tests],
            r.sha[:7],
            r.self_heal.verdict if r.self_heal else "",
            r.fix.outcome if r.fix else "",
        ]
        for r in runs
    ]


# --- rendering --------------------------------------------------------------------------------


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["diff_class"] = diff_class
    env.filters["percent"] = lambda v: f"{v:.0%}"
    env.filters["said"] = said
    return env


def diff_class(line: str) -> str:
    if line.startswith(("+++", "---", "diff --git", "index ")):
        return "meta"
    return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")


def build(data: DashboardData, out: Path, templates: Path = TEMPLATES) -> Path:
    """Render the whole site into a fresh folder, then swap it in for `out`."""
    env = environment(templates)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o755)
    (staging / "runs").mkdir()
    runs = data.runs
    tests = test_histories(runs)
    test_pages = {t.id: t.slug for t in tests}
    signatures = signature_histories(runs)
    signature_pages = {s.signature: s.slug for s in signatures}
    rows = filter_rows(runs)
    index = env.get_template("index.html").render(
        runs=runs[:INDEX_RUNS],
        total=len(runs),
        retention=data.retention,
        pass_chart=charts.pass_rate(pass_rates(runs)),
        classes=classes_by_day(runs),
        classes_chart=charts.failure_classes(classes_by_day(runs)),
        flaky=flakiest(runs),
        signatures=recurring(runs),
        test_pages=test_pages,
        signature_pages=signature_pages,
        branches=sorted({str(row[4]) for row in rows if row[4]}),
        error_types=sorted({r.error_type for r in runs if r.error_type}),
        root=".",
    )
    (staging / "index.html").write_text(index, encoding="utf-8")
    page = env.get_template("run.html")
    for run in runs:
        text = page.render(
            run=run,
            root="..",
            evidence=evidence_groups(run.evidence),
            test_pages=test_pages,
            signature_pages=signature_pages,
        )
        (staging / "runs" / f"{run.run_key}.html").write_text(text, encoding="utf-8")
    (staging / "tests").mkdir()
    page = env.get_template("test.html")
    for test in tests:
        text = page.render(test=test, root="..", signature_pages=signature_pages)
        (staging / "tests" / f"{test.slug}.html").write_text(text, encoding="utf-8")
    (staging / "signatures").mkdir()
    page = env.get_template("signature.html")
    for signature in signatures:
        text = page.render(sig=signature, root="..")
        (staging / "signatures" / f"{signature.slug}.html").write_text(text, encoding="utf-8")
    # A script, not a fetch of data.json: it loads from file:// too. No `<` can end the script.
    script = json.dumps(rows, separators=(",", ":")).replace("<", "\\u003c")
    (staging / "runs.js").write_text(f"window.agentEngineRuns={script};\n", encoding="utf-8")
    shutil.copyfile(templates / "filter.js", staging / "filter.js")
    shutil.copyfile(templates / "style.css", staging / "style.css")
    (staging / "data.json").write_text(data.model_dump_json(), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return out
