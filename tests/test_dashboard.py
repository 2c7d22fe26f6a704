"""The static site: every page rendered from a history covering each outcome, escaped, with
relative links only, swapped in whole; charts with text alternatives."""

from __future__ import annotations

import json
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
        "filter.js",
        "index.html",
        "runs",
        "runs.js",
        "signatures",
        "style.css",
        "tests",
    ]
    assert len(list((site / "runs").iterdir())) == 9
    # A page per test that failed or flaked, and per failure signature.
    assert len(list((site / "tests").iterdir())) == 4
    assert len(list((site / "signatures").iterdir())) == 6
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
    alternatives = html[html.index('<table class="alts">') : html.index("</table>")]
    assert "<strong>locator_not_found</strong> (the verdict)" in alternatives
    assert re.search(r"<td>test_timeout</td><td>.*45%</td>", alternatives)
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
    index = (site / "index.html").read_text()
    scripts = '<script src="runs.js" defer></script><script src="filter.js" defer></script>'
    assert scripts in index
    pages = [f for p in ("runs", "tests", "signatures") for f in (site / p).iterdir()]
    for built in [site / "index.html", *pages]:
        text = built.read_text().replace(scripts, "")
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


def test_evidence_is_grouped_by_what_it_says_and_junit_shows_its_message(tmp_path: Path) -> None:
    said = "E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms exceeded."
    line = {"rule_id": "playwright.action-timeout", "error_type": "locator_not_found"}
    junit = (
        '<failure message="TimeoutError: Locator.click: Timeout 5000ms exceeded.&#10;'
        'waiting for locator(&quot;#new-project-btn&quot;)">'
    )
    evidence = [
        {**line, "log": "out/e2e/test-output.log", "line": 48, "text": said},
        {**line, "log": "out/e2e/test-output.log", "line": 91, "text": said.replace("48", "9")},
        {**line, "log": "out/e2e/test-output.log", "line": 130, "text": said},
        {**line, "log": "out/e2e/junit.xml", "line": 7, "text": junit},
    ]
    site = build(DashboardData(runs=[run_record(20, evidence=evidence)]), tmp_path / "site")
    html = page(site, "1020")
    assert html.count('<figure class="evidence">') == 2
    assert "<strong>×3</strong>" in html
    assert "(also out/e2e/test-output.log:91, out/e2e/test-output.log:130)" in html
    assert (
        "<mark>TimeoutError: Locator.click: Timeout 5000ms exceeded. waiting for "
        "locator(&#34;#new-project-btn&#34;)</mark>" in html
    )
    assert "&lt;failure" not in html


def test_the_heal_shows_broken_and_healed_side_by_side_with_its_candidates(site: Path) -> None:
    html = page(site, "1003")
    pair = html[
        html.index('<div class="pair">') : html.index(
            '<p class="muted">', html.index('<div class="pair">')
        )
    ]
    assert pair.index("locator(&#34;#new-project-btn&#34;)") < pair.index("→")
    assert pair.index("→") < pair.index("get_by_role(&#34;link&#34;, name=&#34;New project&#34;)")
    table = html[html.index('<table class="candidates">') :]
    table = table[: table.index("</table>")]
    assert re.findall(r"<th scope=\"col\">([^<]+)</th>", table) == [
        "Candidate", "Element", "Score", "id", "text", "role"
    ]  # fmt: skip
    assert '<tr class="chosen"><td><code>get_by_role(&#34;link&#34;' in table
    assert "<td>0.91</td><td>0.80</td><td>1.00</td><td>1.00</td>" in table
    assert "<td>0.49</td><td>0.10</td><td>0.50</td><td>0.60</td>" in table


def test_a_page_per_test_with_its_strip_flake_rate_and_failures(site: Path) -> None:
    pages = {p.name.split("-chromium-")[0]: p.read_text() for p in (site / "tests").iterdir()}
    created = pages["test_projects.py-test_create_a_project"]
    strip = re.findall(r'<li class="(passed|failed|flaky)">', created)
    assert strip == ["failed"] * 8 + ["passed"]  # newest first: 1009 ... 1002, then 1001
    assert "<dt>Failed in</dt><dd>8 run(s)</dd>" in created
    assert created.count('<tr><td><a href="../runs/') == 8
    assert "locator_not_found (84%)" in created
    flaky = pages["test_tasks.py-test_add_a_task"]
    assert "<dt>Flake rate</dt><dd>11%</dd>" in flaky  # 1 of the 9 runs that ran tests
    assert re.findall(r'<li class="(passed|failed|flaky)">', flaky).count("flaky") == 1
    index = (site / "index.html").read_text()
    assert 'href="tests/test_tasks.py-test_add_a_task-chromium-' in index


def test_a_page_per_failure_signature_with_every_run_and_first_and_last_seen(site: Path) -> None:
    (found,) = [p for p in (site / "signatures").iterdir() if "062b221bc609840d" in p.name]
    html = found.read_text()
    runs = re.findall(r'<a href="../runs/acme~shop~(\d+)~1~e2e-tests.html">', html)
    assert runs == ["1006", "1004", "1003"]
    assert "<dt>First seen (UTC)</dt><dd>2026-11-04 10:03</dd>" in html
    assert "<dt>Last seen (UTC)</dt><dd>2026-11-07 10:06</dd>" in html
    assert f'href="../signatures/{found.name}"' in page(site, "1004")


def test_the_filters_data_cannot_end_its_script(tmp_path: Path) -> None:
    hostile = "t.py::x[</script><script>alert(1)</script>]"
    run = run_record(30, failed_tests=[{"id": hostile}], ref="refs/heads/</script>")
    site = build(DashboardData(runs=[run]), tmp_path / "site")
    script = (site / "runs.js").read_text()
    assert "<" not in script
    assert script.startswith("window.agentEngineRuns=[[")
    rows = json.loads(script.removeprefix("window.agentEngineRuns=").rstrip().rstrip(";"))
    assert rows[0][9] == [hostile]
