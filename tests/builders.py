"""Builders for contract documents used across the tests (one place, no pasted dicts)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from agent_engine.triage.classify import LogSource

# A pytest JUnit report: a failure in a class, a pass, a skip and a setup error.
PYTEST_JUNIT = b"""<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_shop.TestCart" name="test_total" file="tests/test_shop.py" line="41" time="0.5">
<failure message="AssertionError: assert 3 == 4">E   AssertionError: assert 3 == 4</failure></testcase>
<testcase classname="tests.test_shop" name="test_ok" time="0.1" />
<testcase classname="tests.test_shop" name="test_later" time="-1"><skipped message="not yet" /></testcase>
<testcase classname="tests.test_shop" name="test_setup" time="x"><error message="fixture 'db' not found" /></testcase>
</testsuite></testsuites>"""


def run_info(**overrides: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "repository": "acme/shop",
        "run_id": "1234567890",
        "run_attempt": 1,
        "workflow": "agent-engine",
        "job": "e2e-tests",
        "event": "pull_request",
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "ref": "refs/pull/7/merge",
        "base_ref": "main",
        "pr_number": 7,
        "actor": "octocat",
        "url": "https://github.com/acme/shop/actions/runs/1234567890",
    }
    return run | overrides


def log_file(**overrides: Any) -> dict[str, Any]:
    log: dict[str, Any] = {
        "name": "e2e/test-output.log",
        "kind": "test_output",
        "content": "FAILED e2e/test_login.py::test_login - boom\n",
    }
    return log | overrides


def batch(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schema_version": "1",
        "run": run_info(),
        "outcome": "failure",
        "logs": [log_file()],
        "tests": [{"id": "e2e/test_login.py::test_login", "outcome": "failed"}],
        "artifacts": [{"name": "traces", "url": "https://example.invalid/a/1"}],
    }
    return body | overrides


def text_log(name: str, *lines: str) -> LogSource:
    """An in-memory log made of `lines`."""
    return LogSource.from_text(name, "".join(f"{line}\n" for line in lines))


def case_batch(case: str, **run: Any) -> dict[str, Any]:
    """A batch carrying the logs of a corpus case (tests/fixtures/corpus/<label>/<name>)."""
    folder = Path(__file__).parent / "fixtures" / "corpus" / case
    logs = [
        log_file(
            name=p.name,
            content=p.read_text(encoding="utf-8"),
            kind="junit" if p.suffix == ".xml" else "test_output",
        )
        for p in sorted(folder.iterdir())
        if p.suffix in (".log", ".xml")
    ]
    return batch(run=run_info(**run), logs=logs, tests=[])


def gzipped(body: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(body).encode())


# --- dashboard history ------------------------------------------------------------------------

PATCH = """diff --git a/sample_app/e2e/test_projects.py b/sample_app/e2e/test_projects.py
index 1111111..2222222 100644
--- a/sample_app/e2e/test_projects.py
+++ b/sample_app/e2e/test_projects.py
@@ -22,3 +22,3 @@ def test_create_a_project(page: Page) -> None:
     open_projects(page)
-    page.locator("#new-project-btn").click()
+    page.get_by_role("link", name="New project").click()
     page.get_by_label("Project name").fill(name)
"""


# Two tests broken by one renamed id, one by a wrong total: two groups in a comment.
DRIFTED = [
    {
        "id": f"sample_app/e2e/test_projects.py::{name}[chromium]",
        "file": "sample_app/e2e/test_projects.py",
        "line": line,
        "message": "TimeoutError: Locator.click: Timeout 5000ms exceeded.",
        "locator": 'locator("#new-project-btn")',
        "action": "click",
        "artifacts": [{"kind": "trace", "path": f"out/e2e/test-results/{name}/trace.zip"}],
    }
    for name, line in (("test_create_a_project", 25), ("test_rename_a_project", 41))
] + [
    {
        "id": "sample_app/e2e/test_totals.py::test_total[chromium]",
        "file": "sample_app/e2e/test_totals.py",
        "line": 12,
        "message": "AssertionError: Locator expected to have text '3 projects'\nActual value: 2",
    }
]
HEAL = {
    "locator": 'locator("#new-project-btn")',
    "action": "click",
    "outcome": "healed",
    "replacement": 'get_by_role("link", name="New project")',
    "score": 0.91,
    "margin": 0.42,
    "reason": "one candidate clearly ahead",
    "file": "sample_app/e2e/test_projects.py",
    "line": 25,
    "tests": [t["id"] for t in DRIFTED[:2]],
    "candidates": [
        {
            "replacement": 'get_by_role("link", name="New project")',
            "score": 0.91,
            "features": {"id": 0.8, "text": 1.0, "role": 1.0},
            "tag": "a",
            "text": "New project",
        },
        {
            "replacement": 'get_by_role("button", name="New folder")',
            "score": 0.49,
            "features": {"id": 0.1, "text": 0.5, "role": 0.6},
            "tag": "button",
            "text": "New folder",
        },
    ],
}


def run_record(index: int = 1, **overrides: Any) -> Any:
    """A dashboard RunRecord of a failed E2E run; `overrides` replace any field."""
    from agent_engine.report.history import RunRecord  # noqa: PLC0415 - keep this module light

    values: dict[str, Any] = {
        "run_key": f"acme~shop~{1000 + index}~1~e2e-tests",
        "repository": "acme/shop",
        "run_id": str(1000 + index),
        "job": "e2e-tests",
        "sha": f"{index:040x}",
        "ref": f"refs/pull/{index}/merge",
        "pr_number": index,
        "url": f"https://github.com/acme/shop/actions/runs/{1000 + index}",
        "created_at": f"2026-11-{1 + index % 28:02d}T10:{index % 60:02d}:00+00:00",
        "outcome": "failure",
        "error_type": "locator_not_found",
        "confidence": 0.84,
        "summary": "locator_not_found (84%): Locator.click timed out waiting for #new-project-btn",
        "signature": "locator_not_found:062b221bc609840d",
        "next_step": "Update the locator to match the page.",
        "tests": {"total": 16, "passed": 13, "failed": 3, "skipped": 0},
        "failed_tests": [
            {
                "id": "sample_app/e2e/test_projects.py::test_create_a_project[chromium]",
                "file": "sample_app/e2e/test_projects.py",
                "line": 25,
                "message": "TimeoutError: Locator.click: Timeout 5000ms exceeded.",
                "artifacts": [{"kind": "trace", "path": "out/e2e/test-results/x/trace.zip"}],
            }
        ],
        "evidence": [
            {
                "log": "out/e2e/test-output.log",
                "line": 48,
                "text": "E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms exceeded.",
                "rule_id": "playwright.action-timeout",
                "error_type": "locator_not_found",
                "context": [
                    {"line": 47, "text": "    page.locator('#new-project-btn').click()"},
                    {"line": 49, "text": 'E     - waiting for locator("#new-project-btn")'},
                ],
            }
        ],
        "alternatives": [("test_timeout", 0.45)],
        "reproduce": "python -m pytest -c sample_app/e2e/pytest.ini 'sample_app/e2e/test_projects.py::test_create_a_project[chromium]'",
    }
    return RunRecord.model_validate(values | overrides)


def every_kind_of_run() -> list[Any]:
    """A history covering each outcome: green, every self-heal verdict, every fix outcome."""
    heal = {"allowed": True, "decision_reason": "allowed", "rules": [("eligible_type", True, "ok")]}
    action = {
        "action": "reseed_db",
        "ok": True,
        "detail": "exit 0",
        "argv": ["python", "-m", "sample_app", "seed"],
        "exit_code": 0,
        "duration_s": 0.5,
        "stdout_tail": "seeded",
    }
    fix = {
        "risk_class": "test-only",
        "branch": "agent-engine/fix/1",
        "patch_file": "patch-1.diff",
        "needs_manual_review": False,
    }
    guard = [
        {
            "rule": "too_many_files",
            "threshold": "<= 1 (locator)",
            "observed": "1",
            "decision": "pass",
        }
    ]
    return [
        run_record(
            1,
            outcome="success",
            error_type="",
            confidence=0.0,
            summary="",
            signature="",
            failed_tests=[],
            evidence=[],
            alternatives=[],
            reproduce="",
            tests={"total": 16, "passed": 16},
        ),
        run_record(
            2,
            error_type="seed_data_missing",
            signature="seed_data_missing:1",
            self_heal={
                **heal,
                "verdict": "healed",
                "reason": "every failed test passes now",
                "actions": [action],
                "flaky_tests": [],
            },
        ),
        run_record(
            3,
            self_heal={**heal, "verdict": "still_failing", "reason": "3 test(s) still fail"},
            failed_tests=DRIFTED,
            fix={
                **fix,
                "outcome": "validated",
                "reason": "3/3 runs passed",
                "patch": PATCH,
                "heals": [HEAL],
                "guardrails": guard,
                "validation_status": "validated",
                "validation_runs": [{"name": "validate-1", "exit_code": 0, "duration_s": 4.2}],
            },
        ),
        run_record(
            4,
            self_heal={**heal, "verdict": "different_failure", "reason": "now backend_exception"},
            fix={
                **fix,
                "outcome": "needs_manual_review",
                "needs_manual_review": True,
                "reason": "run 2 of 3 failed",
                "patch": PATCH,
                "validation_status": "failed",
            },
        ),
        run_record(
            5,
            error_type="network_flake",
            signature="network_flake:9",
            self_heal={
                **heal,
                "allowed": False,
                "verdict": "not_run",
                "reason": "the ledger is at its cap",
            },
            fix={
                **fix,
                "outcome": "refused",
                "reason": "refused by the guardrails: protected_path",
                "violations": [
                    {
                        "rule": "protected_path",
                        "threshold": "no protected path",
                        "observed": "yes",
                        "path": ".github/workflows/ci.yml",
                    }
                ],
                "guardrails": [
                    {
                        "rule": "protected_path",
                        "threshold": "no protected path",
                        "observed": ".github/workflows/ci.yml: yes",
                        "decision": "refuse",
                    }
                ],
            },
        ),
        run_record(
            6, fix={**fix, "outcome": "abstained", "reason": "no locator could be healed safely"}
        ),
        run_record(
            7,
            error_type="dependency_install_failed",
            signature="dependency_install_failed:2",
            failing_on_base=True,
            fix={**fix, "outcome": "not_applicable", "reason": "not fixed in code"},
        ),
        run_record(
            8,
            sha=f"{3:040x}",
            flaky_tests=["sample_app/e2e/test_tasks.py::test_add_a_task[chromium]"],
            error_type="test_timeout",
            signature="test_timeout:3",
        ),
        run_record(
            9,
            error_type="unknown",
            confidence=0.2,
            signature="unknown:4",
            summary="<script>alert('x')</script> nothing matched",
        ),
    ]


def write_run_artifacts(folder: Path, run_id: str = "4242") -> dict[str, Path]:
    """A failed run's artifacts as the earlier jobs leave them: the analysis (classified from
    the corpus's real drift_id run), its JUnit, the self-heal decision and report, the fix
    metadata and patch."""
    from agent_engine.contracts import Outcome, RunInfo  # noqa: PLC0415
    from agent_engine.delivery.shipper import build_batch  # noqa: PLC0415
    from agent_engine.heal.policy import Decision  # noqa: PLC0415
    from agent_engine.heal.selfheal import Report  # noqa: PLC0415
    from agent_engine.settings import ClassifierSettings, Policy  # noqa: PLC0415
    from agent_engine.triage.analysis import classify_batch, local_analysis  # noqa: PLC0415
    from agent_engine.triage.classify import Classifier  # noqa: PLC0415
    from agent_engine.triage.rules import load_rules  # noqa: PLC0415

    case = Path(__file__).parent / "fixtures/corpus/locator_not_found/sample-app-drift_id"
    classifier = Classifier(load_rules(ClassifierSettings()))
    run = RunInfo(repository="acme/shop", run_id=run_id, job="e2e-tests")
    batch = build_batch(
        run, Outcome.FAILURE, [case / "test-output.log"], [case / "junit.xml"], classifier.scanner
    )
    paths = {
        "analysis": folder / "agent-analysis" / "analysis.json",
        "junit": case / "junit.xml",
        "self_heal": folder / "self-heal",
        "fix": folder / "fix-agent",
    }
    for key in ("self_heal", "fix"):
        paths[key].mkdir(parents=True, exist_ok=True)
    paths["analysis"].parent.mkdir(parents=True, exist_ok=True)
    analysis = local_analysis(batch, classify_batch(classifier, batch))
    paths["analysis"].write_text(analysis.model_dump_json())
    signature = analysis.classification.signature
    decision = Decision(
        run_id=run_id,
        sha="0" * 40,
        signature=signature,
        error_type=analysis.classification.error_type,
        allowed=True,
        actions=["rerun_failed"],
        tests=[t.id for t in analysis.classification.failed_tests],
        rules=[
            {
                "rule": "eligible_type",
                "passed": True,
                "detail": "locator_not_found allows rerun_failed",
            }
        ],
        reason="allowed: rerun_failed",
        escalate=False,
        policy=Policy(),
    )
    (paths["self_heal"] / "decision.json").write_text(decision.model_dump_json())
    report = Report(
        run_id=run_id,
        decision_sha256="x",
        verdict="still_failing",
        reason="3 test(s) still fail: locator_not_found (same signature)",
    )
    (paths["self_heal"] / f"report-{run_id}.json").write_text(report.model_dump_json())
    (paths["fix"] / f"patch-{run_id}.diff").write_text(PATCH)
    (paths["fix"] / f"metadata-{run_id}.json").write_text(json.dumps(fix_metadata(run_id)))
    return paths


def fix_metadata(run_id: str, **overrides: Any) -> dict[str, Any]:
    """fix-agent/metadata-<run_id>.json of a validated locator patch."""
    values: dict[str, Any] = {
        "schema_version": "1",
        "run_id": run_id,
        "base_sha": "0" * 40,
        "input_sha256": "a" * 64,
        "patch_sha256": "b" * 64,
        "patch_file": f"patch-{run_id}.diff",
        "outcome": "validated",
        "needs_manual_review": False,
        "reason": "reproduced without the patch; with it 3/3 runs of 3 test(s) passed",
        "strategy": "heal_locator",
        "fix_class": "locator",
        "risk_class": "test-only",
        "guardrails": {"decision": "pass", "fix_class": "locator"},
        "validation": {
            "status": "validated",
            "reason": "3/3",
            "required_runs": 3,
            "passed_runs": 3,
        },
        "branch": f"agent-engine/fix/{run_id}",
        "commit_message": "Heal 1 locator(s) broken by a UI change",
        "pr_title": "[agent-engine] Heal 1 locator(s)",
        "pr_body": "body",
    }
    return values | overrides
