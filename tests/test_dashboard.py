"""The static site: every page rendered from a history covering each outcome, escaped, with
relative links only, swapped in whole; charts with text alternatives."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from agent_engine.report import charts
from agent_engine.report.dashboard import build, diff_class
from agent_engine.report.history import DashboardData
from tests.builders import every_kind_of_run, run_record


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return build(DashboardData(retention=50, runs=every_kind_of_run()), tmp_path / "site")


def page(site: Path, run_id: str) -> str:
    return (site / "runs" / f"acme~shop~{run_id}~1~e2e-tests.html").read_text()


def test_the_site_has_an_index_a_page_per_run_and_its_data(site: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == [
        "data.json",
        "index.html",
        "runs",
        "style.css",
    ]
    assert len(list((site / "runs").iterdir())) == 9
    data = DashboardData.model_validate_json((site / "data.json").read_text())
    assert data.schema_version == "1"
    assert data.kind == "agent-engine-dashboard"
    assert [r.run_id for r in data.runs] == [r.run_id for r in every_kind_of_run()]
    index = (site / "index.html").read_text()
    for run in every_kind_of_run():
        assert f'href="runs/{run.run_key}.html"' in index


def test_the_index_shows_each_verdict_and_outcome(site: Path) -> None:
    index = (site / "index.html").read_text()
    for badge in (
        "heal-healed", "heal-still_failing", "heal-different_failure", "heal-not_run",
        "fix-validated", "fix-needs_manual_review", "fix-refused", "fix-abstained",
        "fix-not_applicable", "badge success", "badge failure",
    ):  # fmt: skip
        assert badge in index, badge
    assert "test_add_a_task[chromium]" in index  # the flakiest tests
    assert "locator_not_found:062b221bc609840d" in index  # a recurring signature


def test_a_run_page_shows_the_verdict_evidence_heal_and_patch(site: Path) -> None:
    html = page(site, "1003")
    assert "Verdict: locator_not_found" in html
    assert '<mark><span class="ln">48</span>' in html
    assert '<span class="ln">47</span>' in html
    assert "test_timeout (45%)" in html
    assert 'class="del">-    page.locator(&#34;#new-project-btn&#34;).click()' in html
    assert 'class="add">+    page.get_by_role(&#34;link&#34;' in html
    assert "still fail" in html
    assert "Guardrails: all rules pass" in html
    assert "validate-1: exit 0" in html
    assert "trace.zip" in html
    assert "python -m pytest -c sample_app/e2e/pytest.ini" in html
    assert 'href="../index.html"' in html
    assert 'href="../style.css"' in html


def test_other_outcomes_are_told_plainly(site: Path) -> None:
    assert "Every test passed" in page(site, "1001")
    assert "reseed_db" in page(site, "1002")
    assert "Needs manual review." in page(site, "1004")
    refused = page(site, "1005")
    assert '<tr class="refuse">' in refused
    assert ".github/workflows/ci.yml" in refused
    assert "Already failing on the base branch" in page(site, "1007")
    assert "Flaky on this commit" in page(site, "1008")


def test_everything_from_logs_is_escaped_and_nothing_is_fetched_from_outside(site: Path) -> None:
    html = page(site, "1009")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    for built in [site / "index.html", *(site / "runs").iterdir()]:
        text = built.read_text()
        assert "<script" not in text
        assert not re.search(r'(src|href)="(https?:)?//(?!github\.com/acme)', text), built
        assert re.findall(r'<link [^>]*href="([^"]+)"', text) in (["./style.css"], ["../style.css"])


def test_an_empty_history_still_builds(tmp_path: Path) -> None:
    site = build(DashboardData(), tmp_path / "site")
    index = (site / "index.html").read_text()
    assert "No runs yet" in index
    assert "No run with test results yet." in index
    assert list((site / "runs").iterdir()) == []


def test_a_rebuild_replaces_the_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(DashboardData(runs=[run_record(1), run_record(2)]), out)
    build(DashboardData(runs=[run_record(2)]), out)
    assert [p.name for p in (out / "runs").iterdir()] == ["acme~shop~1002~1~e2e-tests.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left


def test_charts_say_in_words_what_they_show() -> None:
    line = charts.pass_rate([("a", 1.0), ("b", 0.5), ("c", 0.75)])
    assert 'role="img"' in line
    assert "3 runs, oldest first: latest 75%, lowest 50%, highest 100%." in line
    assert line.count("<circle") == 3
    bars = charts.failure_classes(
        [("2026-11-01", Counter({"auth_failed": 2})), ("2026-11-02", Counter())]
    )
    assert "2 days from 2026-11-01 to 2026-11-02: auth_failed 2" in bars
    assert bars.count("<rect") == 1
    assert "No runs yet." in charts.failure_classes([])
    assert "no failures" in charts.failure_classes([("2026-11-01", Counter())])


@pytest.mark.parametrize(
    ("line", "kind"),
    [("+x", "add"), ("-x", "del"), ("@@ -1 +1 @@", "hunk"), ("+++ b/x", "meta"), (" x", "ctx")],
)
def test_diff_lines_are_classed(line: str, kind: str) -> None:
    assert diff_class(line) == kind
