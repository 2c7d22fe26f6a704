"""The dashboard's history: merging under retention, and what the index derives from it."""

from __future__ import annotations

from agent_engine.report.history import classes_by_day, flakiest, merge, pass_rates, recurring
from tests.builders import every_kind_of_run, run_record

FLAKY = "sample_app/e2e/test_tasks.py::test_add_a_task[chromium]"
CREATE = "sample_app/e2e/test_projects.py::test_create_a_project[chromium]"


def test_merge_keeps_one_record_per_run_newest_first_within_retention() -> None:
    old = [run_record(i) for i in range(1, 6)]
    again = run_record(3, summary="rerun of attempt 1, classified again")
    merged = merge(old, [again, run_record(9)], retention=4)
    assert [r.run_id for r in merged] == ["1009", "1005", "1004", "1003"]
    assert merged[-1].summary == "rerun of attempt 1, classified again"
    assert merge([], [], 10) == []


def test_pass_rates_are_oldest_first_and_skip_runs_without_tests() -> None:
    runs = merge([], [run_record(1), run_record(2, tests={"total": 0}), run_record(3)], 10)
    assert pass_rates(runs) == [
        ("acme~shop~1001~1~e2e-tests", 13 / 16),
        ("acme~shop~1003~1~e2e-tests", 13 / 16),
    ]


def test_failure_classes_per_day_include_green_days() -> None:
    days = classes_by_day(every_kind_of_run())
    by_day = dict(days)
    assert by_day["2026-11-02"] == {}  # run 1 passed
    assert by_day["2026-11-07"] == {"locator_not_found": 1}
    assert by_day["2026-11-08"] == {"dependency_install_failed": 1}
    assert sum(sum(c.values()) for _, c in days) == 8
    assert [d for d, _ in days] == sorted(by_day)


def test_flaky_tests_from_a_healing_rerun_and_from_a_passing_re_run() -> None:
    first = run_record(1)  # create_a_project failed in attempt 1 ...
    again = run_record(  # ... and passed when the same workflow run was re-run
        1,
        run_attempt=2,
        run_key="acme~shop~1001~2~e2e-tests",
        failed_tests=[],
        tests={"total": 16, "passed": 16},
    )
    runs = [first, again, run_record(3, flaky_tests=[FLAKY]), run_record(4, flaky_tests=[FLAKY])]
    found = {t.id: t for t in flakiest(runs)}
    assert found[FLAKY].flaky_runs == 2
    assert found[CREATE].flaky_runs == 1
    assert found[FLAKY].rate == 2 / 4
    assert found[FLAKY].last_seen == runs[3].created_at
    assert next(iter(found)) == FLAKY


def test_separate_runs_of_one_commit_are_not_compared() -> None:
    same = "f" * 40
    passed = run_record(2, sha=same, failed_tests=[], tests={"total": 16, "passed": 16})
    assert flakiest([run_record(1, sha=same), passed]) == []
    assert flakiest([run_record(1), run_record(2)]) == []


def test_recurring_signatures_count_failed_runs_only() -> None:
    runs = [run_record(i) for i in range(1, 4)] + [run_record(4, outcome="success")]
    [signature] = recurring(runs)
    assert signature.count == 3
    assert signature.last_run == "acme~shop~1003~1~e2e-tests"
    assert signature.first_seen < signature.last_seen
    assert recurring([run_record(1)]) == []
