"""python -m tools.dashboard build: this run's artifacts merged into the history from a file, a
URL or the Developer-Agent, under retention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent_engine.cli.dashboard import main
from agent_engine.report.history import DashboardData
from tests.builders import run_record, write_run_artifacts
from tests.fakes.loopback import serve_asgi, serve_folder

ENV = {
    "GITHUB_REPOSITORY": "acme/shop",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_JOB": "e2e-tests",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    "GITHUB_REF": "refs/pull/7/merge",
}


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    write_run_artifacts(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*extra: str) -> DashboardData:
    junit = "tests/fixtures/corpus/locator_not_found/sample-app-drift_id/junit.xml"
    root = Path(__file__).resolve().parents[2]
    argv = ["build", "--junit", str(root / junit), "--created-at", "2026-11-21T10:00:00+00:00"]
    argv += ["--config", str(root / "agent-engine.toml")]
    assert main([*argv, *extra]) == 0
    return DashboardData.model_validate_json(Path("site/data.json").read_text())


def test_a_failed_run_with_every_artifact(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = build()
    [run] = data.runs
    assert run.run_key == "acme~shop~4242~1~e2e-tests"
    assert (run.outcome, run.error_type, run.pr_number) == ("failure", "locator_not_found", 7)
    assert run.tests.model_dump() == {"total": 16, "passed": 13, "failed": 3, "skipped": 0}
    assert len(run.failed_tests) == 3
    assert run.self_heal is not None
    assert run.self_heal.verdict == "still_failing"
    assert run.self_heal.rules == [("eligible_type", True, "locator_not_found allows rerun_failed")]
    assert run.fix is not None
    assert run.fix.outcome == "validated"
    assert "+    page.get_by_role" in run.fix.patch
    assert run.reproduce.startswith("python -m pytest -c sample_app/e2e/pytest.ini")
    assert "'sample_app/e2e/test_projects.py::test_create_a_project[chromium]'" in run.reproduce
    page = (run_dir / "site/runs/acme~shop~4242~1~e2e-tests.html").read_text()
    assert "still fail" in page
    assert "site/index.html" in capsys.readouterr().out


def test_history_from_the_previous_data_json_under_retention(run_dir: Path) -> None:
    old = DashboardData(runs=[run_record(i) for i in range(1, 6)])
    (run_dir / "previous.json").write_text(old.model_dump_json())
    data = build("--history", "previous.json", "--retention", "3")
    assert [r.run_id for r in data.runs] == ["4242", "1005", "1004"]
    assert data.retention == 3


def test_history_from_the_published_site(run_dir: Path) -> None:
    (run_dir / "pages").mkdir()
    (run_dir / "pages/data.json").write_text(DashboardData(runs=[run_record(1)]).model_dump_json())
    with serve_folder(run_dir / "pages") as url:
        data = build("--history", f"{url}/data.json")
        assert len(data.runs) == 2
        assert len(build("--history", f"{url}/missing/data.json").runs) == 1  # a first publish


def test_history_from_the_developer_agent(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    async def runs(request: Request) -> JSONResponse:
        seen.append((request.headers["authorization"], request.query_params["repository"]))
        summary = {
            "run_key": "acme~shop~9~1~e2e-tests", "repository": "acme/shop", "run_id": "9",
            "run_attempt": 1, "job": "e2e-tests", "sha": "9" * 40, "ref": "refs/heads/main",
            "base_ref": "", "pr_number": None, "outcome": "failure",
            "error_type": "auth_failed", "signature": "auth_failed:1", "confidence": 0.9,
            "created_at": "2026-11-20T09:00:00+00:00",
        }  # fmt: skip
        # the service also stored this very run (4242): one record, this build's, not two
        this_run = summary | {"run_key": "acme~shop~4242~1~e2e-tests", "run_id": "4242"}
        return JSONResponse({"schema_version": "1", "runs": [summary, this_run]})

    monkeypatch.setenv("DEVELOPER_AGENT_TOKEN", "s3cret-token")
    with serve_asgi(Starlette(routes=[Route("/runs", runs)])) as url:
        data = build("--runs-url", url)
    assert [r.error_type for r in data.runs] == ["locator_not_found", "auth_failed"]
    assert [r.run_id for r in data.runs] == ["4242", "9"]
    assert seen == [("Bearer s3cret-token", "acme/shop")]


def test_a_green_run_shows_no_verdict_even_with_an_analysis(run_dir: Path) -> None:
    junit = run_dir / "green.xml"
    junit.write_text('<testsuite><testcase classname="t" name="a"/></testsuite>')
    assert main(["build", "--junit", str(junit)]) == 0
    [run] = DashboardData.model_validate_json(Path("site/data.json").read_text()).runs
    assert (run.outcome, run.error_type, run.failed_tests) == ("success", "", [])


def test_a_run_that_broke_before_its_tests_is_a_failure(run_dir: Path) -> None:
    assert main(["build", "--junit", str(run_dir / "none.xml")]) == 0
    [run] = DashboardData.model_validate_json(Path("site/data.json").read_text()).runs
    assert (run.outcome, run.error_type) == ("failure", "locator_not_found")


def test_a_green_run_without_analysis(run_dir: Path) -> None:
    (run_dir / "agent-analysis/analysis.json").unlink()
    junit = run_dir / "green.xml"
    junit.write_text(
        '<testsuite><testcase classname="t" name="a"/><testcase classname="t" name="b"/></testsuite>'
    )
    assert (
        main(["build", "--junit", str(junit), "--fix-dir", "none", "--self-heal-dir", "none"]) == 0
    )
    [run] = DashboardData.model_validate_json(Path("site/data.json").read_text()).runs
    assert (run.outcome, run.tests.passed, run.fix, run.self_heal) == ("success", 2, None, None)


def test_a_broken_history_is_a_clear_error(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_dir / "previous.json").write_text(json.dumps({"runs": [{"run_key": 1}]}))
    assert main(["build", "--history", "previous.json"]) == 2
    assert "previous.json: not an Agent Engine data.json" in capsys.readouterr().err
    assert not (run_dir / "site").exists()


def test_a_broken_artifact_is_a_clear_error(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_dir / "self-heal/decision.json").write_text("{}")
    assert main(["build"]) == 2
    assert "decision.json: not a valid Decision" in capsys.readouterr().err


def test_retention_must_be_positive(run_dir: Path) -> None:
    with pytest.raises(SystemExit):
        main(["build", "--retention", "0"])
