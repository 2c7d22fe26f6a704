"""Self-heal end to end against the real sample_app and its suite, and decide's rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_engine.cli.self_heal import main
from agent_engine.heal import backend
from agent_engine.heal.backend import free_port
from agent_engine.heal.policy import Context, LedgerEntry, decide
from agent_engine.heal.selfheal import Executor, Report
from agent_engine.settings import Policy, load_settings
from agent_engine.taxonomy import BlockerType, ErrorType, HealAction
from agent_engine.triage.classify import Classifier
from agent_engine.triage.rules import load_rules
from sample_app import scenario

E2E = "sample_app/e2e"


def config(tmp: Path, run: scenario.Scenario, server_faults: str) -> Path:
    out, port = Path(run.out), free_port()
    base = f"http://127.0.0.1:{port}"
    state = out / "auth" / "state.json"
    pytest_head = (
        f'"{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini", '
        f'"--base-url", "{{base_url}}", "--storage-state", "{state}"'
    )
    path = tmp / "agent-engine.toml"
    path.write_text(
        f"""
[app]
start = ["{{python}}", "-m", "sample_app", "serve", "--port", "{port}"]
base_url = "{base}"
health_url = "{base}/api/health/"
log = "{tmp}/backend.log"
env = {{ SAMPLE_APP_SQLITE = "{out}/app.db", SAMPLE_APP_STATE_DIR = "{out}/state", SAMPLE_APP_FAULTS = "{server_faults}" }}

[e2e]
run = [{pytest_head}, "{E2E}"]
run_subset = [{pytest_head}, "--junitxml", "{tmp}/rerun-junit.xml", "--output", "{tmp}/rerun", "{{tests}}"]
junit = "{out}/junit.xml"
log = "{out}/test-output.log"
output = "{out}/test-results"
rerun_junit = "{tmp}/rerun-junit.xml"

[self_heal.commands]
reseed_db = ["{{python}}", "-m", "sample_app", "seed"]
regenerate_storage_state = ["{{python}}", "-m", "sample_app", "auth", "--url", "{{base_url}}", "--state", "{state}"]
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def heal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Fail a real run with a fault, start its backend, then run the three self-heal steps."""
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_dispatch")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_SHA", "c" * 40)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    started: list[Path] = []

    def run_case(fault: str, test: str, server_faults: str = "") -> tuple[Path, Report]:
        run = scenario.run(tmp_path / "run", [fault], pytest_args=[f"{E2E}/{test}"])
        assert run.steps[-1].exit_code == 1  # the suite really failed
        cfg = config(tmp_path, run, server_faults)
        app = load_settings(cfg).app
        assert app is not None
        pid_file = tmp_path / "backend.pid"
        started.append(pid_file)
        backend.start(app, pid_file)
        assert backend.wait_healthy(app.health_url, 20).ok
        folder = tmp_path / "self-heal"
        artifacts = [
            "--junit",
            str(run.junit),
            "--log",
            f"{run.out}/test-output.log",
            "--log",
            f"{run.out}/backend.log",
        ]
        for step in ("prepare-context", "decide", "execute"):
            assert (
                main(
                    [
                        step,
                        "--config",
                        str(cfg),
                        "--dir",
                        str(folder),
                        "--analysis",
                        str(tmp_path / "none.json"),
                        *artifacts,
                    ]
                )
                == 0
            )
        return folder, Report.model_validate_json((folder / "report-4242.json").read_text())

    yield run_case
    for pid_file in started:
        backend.stop(pid_file)


def test_an_environment_repair_may_explain_a_storm() -> None:
    decision = decide(context(failed_tests=[f"t.py::{i}" for i in range(8)]))
    assert decision.allowed  # a reseed explains why most tests failed


def test_a_missing_storage_state_is_regenerated_and_healed(heal) -> None:  # type: ignore[no-untyped-def]
    folder, report = heal("storage_state_missing", "test_smoke.py")
    decision = json.loads((folder / "decision.json").read_text())
    assert decision["actions"] == ["regenerate_storage_state", "rerun_failed"]
    assert [a.action for a in report.actions] == [HealAction.REGENERATE_STORAGE_STATE]
    assert report.actions[0].processes[0].exit_code == 0
    assert report.verdict == "healed"
    assert report.rerun is not None
    assert report.rerun.argv[-3:] == [
        f"{E2E}/test_smoke.py::test_projects_page_lists_the_seeded_projects[chromium]",
        f"{E2E}/test_smoke.py::test_project_page_loads[chromium]",
        f"{E2E}/test_smoke.py::test_health_reports_the_database[chromium]",
    ]
    assert len(report.rerun_results) == 3


def test_missing_seed_data_is_reseeded_and_healed(heal) -> None:  # type: ignore[no-untyped-def]
    _, report = heal("seed_missing", "test_smoke.py")
    assert [a.action for a in report.actions] == [HealAction.RESEED_DB]
    assert "Apollo" in report.actions[0].processes[0].stdout_tail
    assert report.verdict == "healed"


def test_a_flaky_failure_heals_on_rerun_and_is_recorded(heal, capsys) -> None:  # type: ignore[no-untyped-def]
    folder, report = heal("flaky", "test_tasks.py", "flaky")
    assert (report.actions, report.verdict) == ([], "healed")
    assert report.flaky_tests == [f"{E2E}/test_tasks.py::test_add_a_task[chromium]"]
    capsys.readouterr()
    assert main(["execute", "--dir", str(folder)]) == 0  # the same decision again
    assert "already executed (healed); nothing repeated" in capsys.readouterr().out


def test_selector_drift_still_fails_after_one_rerun(heal) -> None:  # type: ignore[no-untyped-def]
    _, report = heal("drift_id", "test_projects.py", "drift_id")
    assert report.verdict == "still_failing"
    assert report.rerun_results[0].outcome.value == "failed"
    assert "locator_not_found (same signature)" in report.reason


def context(**overrides: object) -> Context:
    values: dict[str, object] = {
        "run_id": "1",
        "sha": "a" * 40,
        "trigger": "workflow_dispatch",
        "error_type": ErrorType.SEED_DATA_MISSING,
        "blocker_type": BlockerType.INFRASTRUCTURE,
        "signature": "seed_data_missing:0123456789abcdef",
        "analysis_source": "artifact",
        "failed_tests": ["t.py::a"],
        "total_tests": 10,
        "runnable": [HealAction.RESEED_DB, HealAction.RERUN_FAILED],
        "policy": Policy(),
    }
    return Context.model_validate(values | overrides)


def test_decide_allows_the_allow_listed_actions() -> None:
    decision = decide(context())
    assert decision.allowed
    assert decision.actions == [HealAction.RESEED_DB, HealAction.RERUN_FAILED]
    assert all(r.passed for r in decision.rules)
    assert decision.policy.max_attempts_per_action == 2


def test_a_failure_storm_is_not_rerun_but_escalated() -> None:
    storm = context(
        failed_tests=[f"t.py::{i}" for i in range(8)],
        error_type=ErrorType.LOCATOR_NOT_FOUND,
        blocker_type=BlockerType.CODE,
        runnable=[HealAction.RERUN_FAILED],
    )
    decision = decide(storm)
    assert not decision.allowed
    assert decision.reason.startswith("code, for the fix agent: 8 of 10 tests failed")
    assert [r.rule for r in decision.rules if not r.passed] == ["no_failure_storm"]


def test_a_storm_is_escalated_as_the_verdicts_blocker_says() -> None:
    storm = context(
        failed_tests=[f"t.py::{i}" for i in range(8)],
        error_type=ErrorType.TEST_TIMEOUT,
        blocker_type=BlockerType.TRANSIENT,
        runnable=[HealAction.RERUN_FAILED],
    )
    decision = decide(storm)
    assert decision.reason.startswith("transient, escalate: 8 of 10 tests failed")
    assert decision.escalate


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"trigger": "pull_request"}, "trigger_allowed"),
        ({"error_type": ErrorType.BACKEND_EXCEPTION}, "eligible_type"),
        ({"runnable": [HealAction.RERUN_FAILED]}, "actions_configured"),
        ({"agent_depth": 2}, "no_loop"),
        (
            {
                "ledger": [
                    LedgerEntry(
                        sha="a" * 40,
                        signature="seed_data_missing:0123456789abcdef",
                        action=HealAction.RESEED_DB,
                    )
                ]
                * 2
            },
            "ledger_under_cap",
        ),
    ],
)
def test_each_rule_can_block(overrides: dict[str, object], rule: str) -> None:
    decision = decide(context(**overrides))
    assert not decision.allowed
    assert rule in [r.rule for r in decision.rules if not r.passed]
    assert decision.actions == []


def test_pull_request_is_allowed_for_transient_types_when_the_policy_says_so() -> None:
    policy = Policy(allow_pull_request_for_transient=True)
    transient = context(
        trigger="pull_request",
        error_type=ErrorType.TEST_TIMEOUT,
        blocker_type=BlockerType.TRANSIENT,
        policy=policy,
        runnable=[HealAction.RERUN_FAILED],
    )
    assert decide(transient).allowed


def test_a_decision_at_its_cap_is_not_run_with_the_reason(tmp_path: Path) -> None:
    capped = context(
        ledger=[
            LedgerEntry(
                sha="a" * 40,
                action=HealAction.RESEED_DB,
                signature="seed_data_missing:0123456789abcdef",
            )
        ]
        * 2
    )
    folder = tmp_path / "self-heal"
    folder.mkdir()
    (folder / "context.json").write_text(capped.model_dump_json())
    assert main(["decide", "--dir", str(folder)]) == 0
    assert main(["execute", "--dir", str(folder)]) == 0
    report = Report.model_validate_json((folder / "report-1.json").read_text())
    assert report.verdict == "not_run"
    assert "ledger_under_cap" in report.reason


def test_without_any_analysis_or_artifacts_prepare_context_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUD_AGENT_URL", raising=False)
    cfg = tmp_path / "agent-engine.toml"
    cfg.write_text("[classifier]\n")
    assert (
        main(
            [
                "prepare-context",
                "--config",
                str(cfg),
                "--dir",
                str(tmp_path / "sh"),
                "--analysis",
                str(tmp_path / "none.json"),
            ]
        )
        == 2
    )
    assert "no analysis at" in capsys.readouterr().err


def test_a_failing_action_stops_the_run_and_says_which(tmp_path: Path) -> None:
    cfg = tmp_path / "agent-engine.toml"
    cfg.write_text(
        '[e2e]\nrun = ["true"]\nrun_subset = ["true", "{tests}"]\njunit = "j.xml"\n'
        'log = "t.log"\noutput = "o"\n\n[self_heal.commands]\n'
        'reseed_db = ["{python}", "-c", "raise SystemExit(3)"]\n'
    )
    folder = tmp_path / "sh"
    folder.mkdir()
    (folder / "report-old.json").write_text("{not a report")  # ignored by the ledger
    (folder / "context.json").write_text(context(policy=Policy()).model_dump_json())
    assert main(["decide", "--dir", str(folder)]) == 0
    assert main(["execute", "--dir", str(folder), "--config", str(cfg)]) == 0
    report = Report.model_validate_json((folder / "report-1.json").read_text())
    assert report.verdict == "not_run"
    assert report.reason == "reseed_db failed: exit 3"


def test_restart_backend_restarts_it_and_waits_for_health(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = tmp_path / "agent-engine.toml"
    cfg.write_text(
        f'[app]\nstart = ["{{python}}", "-m", "sample_app", "serve", "--port", "{port}"]\n'
        f'base_url = "{base}"\nhealth_url = "{base}/api/health/"\nlog = "{tmp_path}/b.log"\n'
        f'migrate = ["{{python}}", "-m", "sample_app", "migrate"]\n'
        f'env = {{ SAMPLE_APP_SQLITE = "{tmp_path}/app.db" }}\n'
    )
    settings = load_settings(cfg)
    assert settings.app is not None
    backend.prepare(settings.app)
    executor = Executor(settings, tmp_path / "sh", Classifier(load_rules()))
    try:
        result = executor.action(HealAction.RESTART_BACKEND)
    finally:
        backend.stop(tmp_path / "sh" / "backend.pid")
    assert result.ok
    assert "200 OK" in result.detail


RERUN = """
import os, sys
from pathlib import Path
if os.environ.get("SUITE_FLAG") != "on":
    sys.stderr.write("ImportError while loading conftest '/w/conftest.py'.\\n"
                     "E   ModuleNotFoundError: No module named 'suite_helpers'\\n")
    raise SystemExit(4)
Path(sys.argv[1]).write_text(
    '<testsuite><testcase classname="t" name="a" file="t.py"/></testsuite>')
"""


@pytest.mark.parametrize(("where", "verdict"), [("e2e", "healed"), ("app", "different_failure")])
def test_the_rerun_runs_in_the_suites_environment_and_its_stderr_is_read(
    tmp_path: Path, where: str, verdict: str
) -> None:
    """The rerun sees `[e2e] env` as the suite did; when it dies before any test (an import
    error on stderr), the report says what the error was instead of `unknown`."""
    script = tmp_path / "rerun.py"
    script.write_text(RERUN)
    junit = tmp_path / "rerun.xml"
    cfg = tmp_path / "agent-engine.toml"
    cfg.write_text(
        f'[app]\nstart = ["true"]\nbase_url = "http://127.0.0.1:9"\n'
        f'health_url = "http://127.0.0.1:9/"\nlog = "{tmp_path}/b.log"\n'
        f'env = {{ {"SUITE_FLAG" if where == "app" else "APP_ONLY"} = "on" }}\n\n'
        f'[e2e]\nrun = ["true"]\n'
        f'run_subset = ["{{python}}", "{script}", "{junit}", "{{tests}}"]\n'
        f'junit = "j.xml"\nlog = "t.log"\noutput = "o"\nrerun_junit = "{junit}"\n'
        f'env = {{ {"SUITE_FLAG" if where == "e2e" else "E2E_ONLY"} = "on" }}\n'
    )
    settings = load_settings(cfg)
    decision = decide(
        context(
            error_type=ErrorType.TEST_TIMEOUT,
            blocker_type=BlockerType.TRANSIENT,
            failed_tests=["t.py::a"],
            runnable=[HealAction.RERUN_FAILED],
        )
    )
    assert decision.actions == [HealAction.RERUN_FAILED]
    report = Executor(settings, tmp_path / "sh", Classifier(load_rules())).execute(decision)
    assert report.verdict == verdict, report.reason
    if verdict == "different_failure":
        assert "test_collection_error" in report.reason


@pytest.mark.parametrize(
    ("overrides", "blocked", "detail"),
    [
        # nothing allow-listed: only the type rule says no, not the ledger or the config
        (
            {"error_type": ErrorType.MIGRATION_FAILED, "runnable": []},
            ["eligible_type"],
            "migration_failed: allow-listed none",
        ),
        # allow-listed but not configured: the missing command is named
        (
            {"error_type": ErrorType.DATABASE_UNAVAILABLE, "runnable": []},
            ["actions_configured"],
            "not configured in [self_heal.commands]: ['restart_database']",
        ),
    ],
)
def test_a_blocked_decision_names_only_the_rules_that_block_it(
    overrides: dict[str, object], blocked: list[str], detail: str
) -> None:
    decision = decide(context(**overrides))
    assert [r.rule for r in decision.rules if not r.passed] == blocked
    assert detail in decision.reason
