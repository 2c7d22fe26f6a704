"""python -m tools.pipeline run, end to end on sample_app: a selector drift ends with a
validated patch the dashboard shows; an expired session is healed by self-heal. Each run
checks the files it promises and that nothing it started is left running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent_engine.cli.pipeline import StageTimings, main
from agent_engine.contracts import Analysis
from agent_engine.fix.report import FixMetadata
from agent_engine.heal.backend import free_port
from agent_engine.heal.selfheal import Report
from agent_engine.report.history import DashboardData

ROOT = Path(__file__).resolve().parents[2]
TOUCHED = (
    "DATABASE_URL", "SAMPLE_APP_FAULTS", "CLOUD_AGENT_URL", "AGENT_TOKEN", "GITHUB_REPOSITORY",
    "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB", "GITHUB_EVENT_NAME", "GITHUB_SHA",
    "GITHUB_REF", "GITHUB_SERVER_URL", "GITHUB_EVENT_PATH", "GITHUB_BASE_REF", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY",
)  # fmt: skip
CONFIG = """
[app]
migrate = ["{{python}}", "-m", "sample_app", "migrate"]
seed = ["{{python}}", "-m", "sample_app", "seed"]
start = ["{{python}}", "-m", "sample_app", "serve", "--host", "127.0.0.1", "--port", "{port}"]
base_url = "http://127.0.0.1:{port}"
health_url = "http://127.0.0.1:{port}/api/health/"
log = "{tmp}/backend.log"
env = {{ SAMPLE_APP_SQLITE = "{tmp}/app.db", SAMPLE_APP_STATE_DIR = "{tmp}/state" }}
fault_switch = "SAMPLE_APP_FAULTS"

[e2e]
auth = ["{{python}}", "-m", "sample_app", "auth", "--url", "{{base_url}}", "--state", "{tmp}/auth/state.json"]
run = ["{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini", "-p", "no:cacheprovider",
       "--base-url", "{{base_url}}", "--storage-state", "{tmp}/auth/state.json",
       "--junitxml", "{tmp}/e2e/junit.xml", "--output", "{tmp}/e2e/test-results", "sample_app/e2e"]
run_subset = ["{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini", "-p", "no:cacheprovider",
              "--base-url", "{{base_url}}", "--storage-state", "{tmp}/auth/state.json",
              "--junitxml", "{tmp}/e2e/rerun-junit.xml", "--output", "{tmp}/e2e/rerun-results", "{{tests}}"]
junit = "{tmp}/e2e/junit.xml"
log = "{tmp}/e2e/test-output.log"
output = "{tmp}/e2e/test-results"
rerun_junit = "{tmp}/e2e/rerun-junit.xml"

[self_heal.commands]
reseed_db = ["{{python}}", "-m", "sample_app", "seed"]
regenerate_storage_state = ["{{python}}", "-m", "sample_app", "auth", "--url", "{{base_url}}",
                            "--state", "{tmp}/auth/state.json"]

[fix_agent]
validation_command = ["{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini", "-p", "no:cacheprovider",
                      "--base-url", "{{base_url}}", "--storage-state", "{tmp}/auth/state.json",
                      "--output", "out/fix-validation", "{{tests}}"]

[fix_agent.guardrails]
allowed = ["sample_app/e2e/**"]
"""


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str | None
) -> tuple[Path, str, int]:
    for name in TOUCHED:
        monkeypatch.delenv(name, raising=False)  # restored after the test, whatever run sets
    monkeypatch.setenv("E2E_TIMEOUT_MS", "2500")
    monkeypatch.chdir(ROOT)
    port = free_port()
    config = tmp_path / "agent-engine.toml"
    config.write_text(CONFIG.format(port=port, tmp=tmp_path))
    out = tmp_path / "pipeline"
    faults = ["--fault", fault] if fault else []
    assert main(["run", *faults, "--config", str(config), "--out", str(out)]) == 0
    [run_dir] = out.glob("run-local-*")
    return run_dir, run_dir.name.removeprefix("run-"), port


def test_a_selector_drift_ends_with_a_validated_patch_on_the_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir, run_id, port = pipeline(tmp_path, monkeypatch, "drift_id")
    analysis = Analysis.model_validate_json((run_dir / "agent-analysis/analysis.json").read_text())
    assert analysis.classification.error_type.value == "locator_not_found"
    assert analysis.source == "service"  # stored by the Developer-Agent, through the Cloud-Agent
    report = Report.model_validate_json((run_dir / f"self-heal/report-{run_id}.json").read_text())
    assert report.verdict == "still_failing"
    meta = FixMetadata.model_validate_json(
        (run_dir / f"fix-agent/metadata-{run_id}.json").read_text()
    )
    assert meta.outcome == "validated"
    patch = (run_dir / f"fix-agent/patch-{run_id}.diff").read_text()
    assert '+    page.get_by_role("link", name="New project").click()' in patch
    site = tmp_path / "pipeline" / "site"
    [record] = DashboardData.model_validate_json((site / "data.json").read_text()).runs
    page = (site / "runs" / f"{record.run_key}.html").read_text()
    assert "get_by_role(&#34;link&#34;, name=&#34;New project&#34;)" in page
    assert "fix-validated" in (site / "index.html").read_text()
    comment = (run_dir / "comment/comment.md").read_text()
    assert "#### A fix patch is ready" in comment
    out = capsys.readouterr().out
    assert "Fix patch    validated" in out
    assert f"Dashboard    {(site / 'index.html').as_uri()}" in out
    assert "of the E2E suite's" in out
    timings = StageTimings.model_validate_json((run_dir / "timings.json").read_text())
    assert [s.name for s in timings.stages if s.agent] == [
        "ship", "self-heal decide", "fix prepare", "dashboard", "comment"
    ]  # fmt: skip
    assert 0 < timings.agent_s < timings.e2e_s
    assert not listening(port)  # the app is stopped
    assert not (tmp_path / "pipeline" / "backend.pid").exists()
    assert "CLOUD_AGENT_URL" not in os.environ


def test_an_expired_session_is_healed_by_self_heal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir, run_id, port = pipeline(tmp_path, monkeypatch, "session_expired")
    analysis = Analysis.model_validate_json((run_dir / "agent-analysis/analysis.json").read_text())
    assert analysis.classification.error_type.value == "auth_failed"
    report = Report.model_validate_json((run_dir / f"self-heal/report-{run_id}.json").read_text())
    assert report.verdict == "healed"
    assert [a.action.value for a in report.actions] == ["regenerate_storage_state"]
    meta = FixMetadata.model_validate_json(
        (run_dir / f"fix-agent/metadata-{run_id}.json").read_text()
    )
    assert meta.outcome == "not_applicable"
    assert "heal-healed" in (tmp_path / "pipeline/site/index.html").read_text()
    assert "#### Healed by self-heal" in (run_dir / "comment/comment.md").read_text()
    assert "Self-heal    healed" in capsys.readouterr().out
    assert not listening(port)


def test_a_fault_needs_the_apps_fault_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    for name in TOUCHED:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "agent-engine.toml"
    config.write_text(
        CONFIG.format(port=free_port(), tmp=tmp_path).replace(
            'fault_switch = "SAMPLE_APP_FAULTS"', ""
        )
    )
    assert (
        main(["run", "--fault", "drift_id", "--config", str(config), "--out", str(tmp_path)]) != 0
    )
    assert "--fault needs [app] fault_switch" in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_stops_everything_it_started(
    tmp_path: Path, sig: signal.Signals
) -> None:
    port = free_port()
    config = tmp_path / "agent-engine.toml"
    config.write_text(CONFIG.format(port=port, tmp=tmp_path))
    log = tmp_path / "pipeline.log"
    argv = [sys.executable, "-m", "tools.pipeline", "run", "--fault", "drift_id"]
    argv += ["--config", str(config), "--out", str(tmp_path / "pipeline")]
    env = {k: v for k, v in os.environ.items() if k not in TOUCHED} | {"E2E_TIMEOUT_MS": "2500"}
    with log.open("wb") as out:
        child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "test_projects.py" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)  # the suite is running against the app
    assert listening(port)
    child.send_signal(sig)
    code = child.wait(timeout=60)
    assert code == 128 + sig
    time.sleep(0.5)
    assert not listening(port)
    leftovers = subprocess.run(
        ["pgrep", "-f", str(tmp_path)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert leftovers == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "error_type", "healed_by", "failed_at"),
    [
        ("seed_missing", "seed_data_missing", "reseed_db", ""),
        ("server_error", "backend_exception", "", ""),
        ("db_unreachable", "database_unavailable", "", "prepare"),
        ("broken_migration", "migration_failed", "", "prepare"),
        ("storage_state_missing", "auth_failed", "regenerate_storage_state", ""),
    ],
)
def test_every_fault_switch_is_shipped_classified_decided_and_reported(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    error_type: str,
    healed_by: str,
    failed_at: str,
) -> None:
    """The app's log and its prepare log are shipped with the suite's (the 404s of a missing
    seed, the traceback of a 500, a migration refused by the database are there); a stage
    before the suite that fails is a failed run like any other."""
    run_dir, run_id, port = pipeline(tmp_path, monkeypatch, fault)
    analysis = Analysis.model_validate_json((run_dir / "agent-analysis/analysis.json").read_text())
    verdict = analysis.classification
    assert (verdict.error_type.value, analysis.source) == (error_type, "service")
    out = capsys.readouterr().out
    report = Report.model_validate_json((run_dir / f"self-heal/report-{run_id}.json").read_text())
    if healed_by:
        assert report.verdict == "healed", report.reason
        assert [a.action.value for a in report.actions] == [healed_by]
    else:
        assert report.verdict == "not_run"
    if failed_at:
        assert f"Failed at    {failed_at}: migrate exited with" in out
        assert any(e.log.endswith("prepare.log") for e in verdict.evidence)
        assert "stage prepare failed" in (run_dir / "pipeline.log").read_text()
    if fault == "server_error":
        assert any(e.log.endswith("backend.log") for e in verdict.evidence)
    [record] = DashboardData.model_validate_json(
        (tmp_path / "pipeline/site/data.json").read_text()
    ).runs
    assert (record.outcome, record.error_type) == ("failure", error_type)
    assert error_type in (run_dir / "comment/comment.md").read_text()
    assert not listening(port)


@pytest.mark.slow
def test_a_green_run_reports_no_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir, _, port = pipeline(tmp_path, monkeypatch, None)
    out = capsys.readouterr().out
    assert "E2E suite    passed" in out
    assert "Verdict      none: every test passed" in out
    assert "Self-heal" not in out
    assert not (run_dir / "self-heal").exists()
    [record] = DashboardData.model_validate_json(
        (tmp_path / "pipeline/site/data.json").read_text()
    ).runs
    assert (record.outcome, record.error_type) == ("success", "")
    comment = (run_dir / "comment/comment.md").read_text()
    assert "tests passed" in comment
    assert "unknown" not in comment
    assert not listening(port)
