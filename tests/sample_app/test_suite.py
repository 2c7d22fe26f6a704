"""sample_app and its E2E suite: green on SQLite and PostgreSQL, and each fault switch making
the failure it names really happen (asserted from the JUnit XML and the logs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_engine.contracts import TestOutcome
from agent_engine.triage.junit import Case, parse_junit
from sample_app import faults, scenario

E2E = "sample_app/e2e"
FAILED = (TestOutcome.FAILED, TestOutcome.ERROR)


def cases(path: Path) -> list[Case]:
    with path.open("rb") as stream:
        return parse_junit(stream, str(path))


def failed(path: Path) -> dict[str, Case]:
    return {c.result.id.split("::")[-1]: c for c in cases(path) if c.result.outcome in FAILED}


def log(run: scenario.Scenario, name: str) -> str:
    return (Path(run.out) / f"{name}.log").read_text(encoding="utf-8")


def ran_green(run: scenario.Scenario) -> list[Case]:
    assert [(s.name, s.exit_code) for s in run.steps] == [
        ("migrate", 0),
        ("seed", 0),
        ("auth", 0),
        ("test-output", 0),
    ]
    return cases(run.junit)


def test_the_suite_passes_on_sqlite(tmp_path: Path) -> None:
    results = ran_green(scenario.run(tmp_path / "green"))
    assert len(results) >= 12
    assert {r.result.outcome for r in results} == {TestOutcome.PASSED}
    assert "sqlite" in log(scenario.Scenario(str(tmp_path / "green"), []), "migrate")


def test_the_suite_passes_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    run = scenario.run(tmp_path / "pg", database_url=pg_url)
    results = ran_green(run)
    assert len(results) >= 12
    assert {r.result.outcome for r in results} == {TestOutcome.PASSED}
    assert "migrating the postgresql database" in log(run, "migrate")


def test_the_smoke_marker_selects_the_page_smoke_subset(tmp_path: Path) -> None:
    results = ran_green(scenario.run(tmp_path / "smoke", pytest_args=["-m", "smoke", E2E]))
    assert sorted(r.result.id.split("::")[-1] for r in results) == [
        "test_health_reports_the_database[chromium]",
        "test_project_page_loads[chromium]",
        "test_projects_page_lists_the_seeded_projects[chromium]",
        "test_sign_in_page_has_the_form[chromium]",
    ]


@pytest.mark.parametrize(
    ("fault", "test", "action", "locator", "renamed"),
    [
        (
            "drift_id",
            "test_projects.py::test_create_a_project",
            "Locator.click",
            'locator("#new-project-btn")',
            'id="new-project-btn"',
        ),
        (
            "drift_label",
            "test_projects.py::test_create_a_project",
            "Locator.fill",
            'get_by_label("Project name")',
            ">Project name<",
        ),
        (
            "drift_text",
            "test_tasks.py::test_add_a_task",
            "Locator.click",
            'get_by_role("button", name="Add task")',
            ">Add task<",
        ),
    ],
)
def test_selector_drift_breaks_the_locator(
    tmp_path: Path, fault: str, test: str, action: str, locator: str, renamed: str
) -> None:
    run = scenario.run(tmp_path / fault, [fault], pytest_args=[f"{E2E}/{test}"])
    (case,) = failed(run.junit).values()
    assert f"{action}: Timeout 5000ms exceeded" in case.result.message
    assert f"waiting for {locator}" in case.text
    dom = Path(case.properties["dom_snapshot"]).read_text(encoding="utf-8")
    assert "<body" in dom
    assert renamed not in dom  # the page really lacks what the test looks for
    assert Path(case.properties["playwright_screenshot"]).exists()
    assert Path(case.properties["playwright_trace"]).exists()


def test_test_id_drift_leaves_no_project_rows(tmp_path: Path) -> None:
    test = f"{E2E}/test_smoke.py::test_projects_page_lists_the_seeded_projects"
    run = scenario.run(tmp_path / "drift_testid", ["drift_testid"], pytest_args=[test])
    (case,) = failed(run.junit).values()
    assert 'waiting for get_by_test_id("project-row")' in case.text
    assert "element(s) not found" in case.text
    dom = Path(case.properties["dom_snapshot"]).read_text(encoding="utf-8")
    assert "Apollo" in dom
    assert 'data-testid="project-row"' not in dom


def test_slow_responses_time_the_tests_out(tmp_path: Path) -> None:
    test = f"{E2E}/test_projects.py::test_search_filters_the_list"
    run = scenario.run(tmp_path / "slow", ["slow"], pytest_args=[test])
    (case,) = failed(run.junit).values()
    assert 'Timeout 5000ms exceeded while waiting for event "response"' in case.result.message
    assert (case.result.duration_s or 0) >= 5


def test_a_missing_storage_state_fails_every_signed_in_test(tmp_path: Path) -> None:
    run = scenario.run(
        tmp_path / "state", ["storage_state_missing"], pytest_args=[f"{E2E}/test_smoke.py"]
    )
    results = cases(run.junit)
    errors = [r for r in results if r.result.outcome is TestOutcome.ERROR]
    assert len(errors) == 3
    assert all("Error reading storage state from" in r.result.message for r in errors)
    assert "signed in as demo" in log(run, "auth")
    assert not (Path(run.out) / "auth" / "state.json").exists()


def test_an_expired_session_lands_on_the_sign_in_page(tmp_path: Path) -> None:
    test = f"{E2E}/test_smoke.py::test_project_page_loads"
    run = scenario.run(tmp_path / "expired", ["session_expired"], pytest_args=[test])
    (case,) = failed(run.junit).values()
    assert "/login?next=/projects/1" in case.text
    backend = log(run, "backend")
    assert "session for demo expired" in backend
    assert '"GET /projects/1 HTTP/1.1" 302' in backend


def test_missing_seed_data_gives_404_on_the_seeded_record(tmp_path: Path) -> None:
    test = f"{E2E}/test_smoke.py::test_project_page_loads"
    run = scenario.run(tmp_path / "seed", ["seed_missing"], pytest_args=[test])
    assert failed(run.junit)
    assert "Apollo" not in log(run, "seed")
    assert '"GET /projects/1 HTTP/1.1" 404' in log(run, "backend")


def test_a_server_exception_is_a_500_with_a_traceback(tmp_path: Path) -> None:
    test = f"{E2E}/test_projects.py::test_project_detail_shows_its_tasks"
    run = scenario.run(tmp_path / "error", ["server_error"], pytest_args=[test])
    assert failed(run.junit)
    backend = log(run, "backend")
    assert "Exception in ASGI application" in backend
    assert "KeyError: 'owner'" in backend
    assert '"GET /api/projects/1/tasks HTTP/1.1" 500' in backend


@pytest.mark.parametrize(
    ("database", "fault", "message"),
    [
        ("sqlite", "db_unreachable", "unable to open database file"),
        ("postgresql", "db_unreachable", "Connection refused"),
        ("sqlite", "broken_migration", "no such table: task"),
        ("postgresql", "broken_migration", 'relation "task" does not exist'),
    ],
)
def test_database_faults_stop_the_migrate_step(
    tmp_path: Path, request: pytest.FixtureRequest, database: str, fault: str, message: str
) -> None:
    url = request.getfixturevalue("pg_url") if database == "postgresql" else None
    run = scenario.run(tmp_path / fault, [fault], database_url=url)
    assert [(s.name, s.exit_code != 0) for s in run.steps] == [("migrate", True)]
    assert message in log(run, "migrate")
    if fault == "broken_migration":
        assert "Applied migration 0002_task_position" in log(run, "migrate")


def test_a_flaky_failure_passes_when_rerun(tmp_path: Path) -> None:
    test = f"{E2E}/test_tasks.py::test_tasks_keep_their_order"
    run = scenario.run(tmp_path / "flaky", ["flaky"], pytest_args=[test])
    (case,) = failed(run.junit).values()
    assert 'Timeout 5000ms exceeded while waiting for event "response"' in case.result.message
    assert scenario.rerun(run, [test]) == 0
    assert not failed(Path(run.out) / "rerun-junit.xml")


def test_an_unknown_fault_is_refused() -> None:
    with pytest.raises(faults.UnknownFaultError, match="gremlins"):
        faults.active({"SAMPLE_APP_FAULTS": "slow,gremlins"})


def test_faults_can_come_from_a_file(tmp_path: Path) -> None:
    switches = tmp_path / "faults"
    switches.write_text("slow\n\nflaky\n")
    env = {"SAMPLE_APP_FAULTS_FILE": str(switches)}
    assert faults.active(env) == {"slow", "flaky"}
