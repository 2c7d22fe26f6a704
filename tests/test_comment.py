"""The PR comment's markdown: a section per kind of news, each item with evidence, confidence
and a reproduction command, behind the hidden marker."""

from __future__ import annotations

import pytest

from agent_engine.report import comment
from agent_engine.report.comment import MARKER, render
from tests.builders import every_kind_of_run, run_record

RUNS = {r.run_id: r for r in every_kind_of_run()}


def sections(text: str) -> list[str]:
    return [line[5:] for line in text.splitlines() if line.startswith("#### ")]


def test_every_comment_starts_with_the_marker_and_links_the_run_page() -> None:
    text = render(RUNS["1003"], "https://acme.github.io/shop/runs/x.html")
    assert text.startswith(MARKER + "\n")
    assert "[run page](https://acme.github.io/shop/runs/x.html)" in text
    assert "[artifacts](https://github.com/acme/shop/actions/runs/1003#artifacts)" in text


@pytest.mark.parametrize(
    ("run_id", "expected"),
    [
        ("1002", ["Infrastructure", "Healed by self-heal"]),
        ("1003", ["New failures caused by this change", "A fix patch is ready"]),
        ("1004", ["New failures caused by this change", "A fix patch is ready"]),
        ("1005", ["Infrastructure"]),
        ("1007", ["Already failing on the base branch"]),
        ("1008", ["Flaky", "Infrastructure"]),
        ("1006", ["New failures caused by this change"]),
    ],
)
def test_sections(run_id: str, expected: list[str]) -> None:
    assert sections(render(RUNS[run_id])) == expected


def test_an_item_has_its_evidence_confidence_and_reproduction() -> None:
    text = render(RUNS["1003"])
    assert "**locator_not_found** (84% confidence)" in text
    assert "evidence `out/e2e/test-output.log:48`:" in text
    assert "reproduce: `python -m pytest -c sample_app/e2e/pytest.ini" in text
    assert "`patch-1.diff` (validated)" in text
    assert render(RUNS["1004"]).count("needs manual review") == 1


def test_infrastructure_says_what_self_heal_did() -> None:
    assert "Self-heal: **not_run**, the ledger is at its cap" in render(RUNS["1005"])


def test_a_green_run_is_one_line() -> None:
    assert (
        render(RUNS["1001"]).splitlines()[-1] == f"✅ All 16 tests passed on `{'1'.zfill(40)[:7]}`."
    )


def test_log_text_cannot_break_out_of_its_code_span_and_the_body_is_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tricky = run_record(1, summary="x", failed_tests=[{"id": "t`[a](http://x)`\nnext"}])
    assert "`t'[a](http://x)' next`" in render(tricky)
    monkeypatch.setattr(comment, "MAX_BODY", 200)
    text = render(run_record(2, summary="y" * 5_000))
    assert len(text) < 300
    assert text.endswith("…(cut; see the dashboard)\n")


def test_the_headline_says_the_verdict_once_and_names_what_broke() -> None:
    run = run_record(
        7,
        summary="locator_not_found (84%): E   TimeoutError: Locator.click: Timeout 5000ms",
        failed_tests=[
            {
                "id": "e2e/test_a.py::test_new",
                "file": "e2e/test_a.py",
                "line": 9,
                "locator": 'locator("#new-project-btn")',
                "action": "click",
            }
        ],
    )
    text = render(run)
    assert text.count("locator_not_found") == 1
    assert "(84% confidence): `E   TimeoutError" in text
    assert '`locator("#new-project-btn")` (click) at [`e2e/test_a.py:9`](' in text


def test_a_validated_patch_shows_before_and_after_and_the_diff() -> None:
    text = render(RUNS["1003"])
    assert '`locator("#new-project-btn")` → `get_by_role("link", name="New project")`' in text
    assert "(score 0.91, margin 0.42, for 2 tests)" in text
    assert "<details><summary>The patch (+1, -1)</summary>" in text
    # Without the heal's record, the changed lines stand for it.
    bare = RUNS["1003"].model_copy(
        update={"fix": RUNS["1003"].fix.model_copy(update={"heals": []})}  # type: ignore[union-attr]
    )
    assert '`page.locator("#new-project-btn").click()` → `page.get_by_role(' in render(bare)
    assert "~~~~diff\ndiff --git a/sample_app/e2e/test_projects.py" in text


def test_a_patch_that_does_not_fit_is_pointed_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comment, "MAX_BODY", len(render(RUNS["1003"])) - 10)
    text = render(RUNS["1003"])
    assert "<details>" not in text
    assert "(the patch is in the artifact" in text


def test_a_long_reproduce_command_is_shortened_between_words_never_cut() -> None:
    tests = " ".join(f"'e2e/test_x.py::test_{i}[chromium]'" for i in range(40))
    text = render(run_record(8, reproduce=f"python -m pytest -c e2e/pytest.ini {tests}"))
    line = next(x for x in text.splitlines() if "reproduce:" in x)
    span = line.split("`")[1]
    assert len(span) <= 300
    assert span.count("'") % 2 == 0  # every quote closed
    assert line.endswith("more arguments)")


def test_failed_tests_are_grouped_by_what_broke_with_where_status_and_next_step() -> None:
    lines = render(RUNS["1003"]).splitlines()
    drift = next(x for x in lines if x.startswith('  - `locator("#new-project-btn")` (click)'))
    assert "[`sample_app/e2e/test_projects.py:25`](https://github.com/acme/shop/blob/" in drift
    assert "/sample_app/e2e/test_projects.py#L25)" in drift
    assert "×2 tests: `test_create_a_project[chromium]`, `test_rename_a_project[chromium]`" in drift
    assert drift.endswith("· **new** → apply the validated patch below")
    total = next(x for x in lines if "AssertionError: Locator expected" in x)
    assert (
        "1 test: `test_total[chromium]` · **new** → Update the locator to match the page" in total
    )
    shown = lines[: lines.index("<details><summary>The patch (+1, -1)</summary>")]
    assert sum("test_create_a_project" in x for x in shown) == 2  # its group and the reproduce


def test_the_status_says_flaky_or_failing_on_base_and_what_to_do() -> None:
    base = render(RUNS["1007"])
    assert "**already failing on the base branch** → fix it on the base branch first" in base
    flaky_test = "sample_app/e2e/test_projects.py::test_create_a_project[chromium]"
    flaky = render(run_record(9, flaky_tests=[flaky_test], seen_before=0))
    assert "· **flaky** → rerun; quarantine it if it keeps flaking" in flaky
    again = render(run_record(10, seen_before=3))
    assert "**seen in 3 earlier run(s)**" in again


def test_a_path_outside_the_repository_is_not_linked() -> None:
    run = run_record(11, failed_tests=[{"id": "t::x", "file": "/tmp/x/test_a.py", "line": 3}])
    assert "at `/tmp/x/test_a.py:3` ·" in render(run)


def test_a_run_off_github_links_no_file() -> None:
    run = run_record(12, url="", failed_tests=[{"id": "t::x", "file": "e2e/a.py", "line": 3}])
    assert "at `e2e/a.py:3` ·" in render(run)
    assert "https://github.com/acme/shop/blob/" not in render(run)


def test_log_text_in_the_verdict_cannot_render_as_html_a_link_or_an_image() -> None:
    hostile = (
        "E  <img src=x onerror=alert(1)> [see](https://evil.example) ![i](https://e.example/p)"
    )
    text = render(run_record(13, summary=f"locator_not_found (84%): {hostile}"))
    line = next(x for x in text.splitlines() if "confidence)" in x)
    assert line.endswith(f": `{hostile}`")  # one code span: shown as text, nothing rendered
