"""The fix agent end to end on sample_app: each selector-drift switch makes the suite fail for
real; prepare-input and apply-and-validate produce a patch validated K of K times against the
drifted app; the patch applies with `git apply` on a fresh clone and the whole suite passes.
A drift that removes the element gives an empty patch and an abstention."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent_engine.cli.fix import main
from agent_engine.fix.agent import FixInput
from agent_engine.fix.report import FixMetadata
from agent_engine.fix.worktree import git
from sample_app import scenario

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[app]
start = ["{{python}}", "-m", "sample_app", "serve"]
base_url = "{base_url}"
health_url = "{base_url}/api/health/"

[e2e]
run = ["{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini", "sample_app/e2e"]
run_subset = ["{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini", "{{tests}}"]
junit = "{out}/junit.xml"
log = "{out}/test-output.log"
output = "{out}/test-results"

[fix_agent]
validation_runs = 3
validation_budget_s = 300
validation_command = ["{{python}}", "-m", "pytest", "-c", "sample_app/e2e/pytest.ini",
    "-p", "no:cacheprovider", "--base-url", "{{base_url}}",
    "--storage-state", "{out}/auth/state.json", "--output", "out/validation", "{{tests}}"]

[fix_agent.guardrails]
allowed = ["sample_app/e2e/**"]
"""


@pytest.fixture(scope="module")
def app_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding sample_app, committed: what a fresh checkout of a PR has."""
    repo = tmp_path_factory.mktemp("app") / "repo"
    shutil.copytree(
        ROOT / "sample_app",
        repo / "sample_app",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    (repo / ".gitignore").write_text("/out/\n/fix-agent/\n__pycache__/\n")
    git(["init", "-q", "-b", "main"], repo)
    git(["add", "-A"], repo)
    git(["-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm", "app"], repo)
    return repo


def fix(
    app_repo: Path, tmp_path: Path, fault: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, FixMetadata, scenario.Scenario]:
    """Fail the suite with `fault`, then run both fix-agent stages against the drifted app."""
    monkeypatch.setenv("E2E_TIMEOUT_MS", "2500")
    run = scenario.run(tmp_path / "run", [fault])
    assert run.step("test-output").exit_code == 1
    env = scenario.environment(Path(run.out), [fault], None)
    with scenario.backend(run, env, "fix-backend.log") as healthy:
        assert healthy
        config = tmp_path / "agent-engine.toml"
        config.write_text(CONFIG.format(base_url=run.base_url, out=run.out))
        out = tmp_path / "fix-agent"
        monkeypatch.chdir(app_repo)
        common = ["--config", str(config), "--dir", str(out), "--run-id", fault]
        missing = str(tmp_path / "no-analysis.json")
        assert main(["prepare-input", *common, "--analysis", missing]) == 0
        fix_input = FixInput.model_validate_json((out / "input.json").read_text())
        assert fix_input.error_type.value == "locator_not_found"
        assert all(t.snapshot in fix_input.snapshots for t in fix_input.targets)
        assert main(["apply-and-validate", *common]) == 0
    meta = FixMetadata.model_validate_json((out / f"metadata-{fault}.json").read_text())
    return (out / f"patch-{fault}.diff").read_text(), meta, run


def suite_passes_on_a_fresh_clone(
    app_repo: Path, tmp_path: Path, patch: str, run: scenario.Scenario, fault: str
) -> subprocess.CompletedProcess[bytes]:
    fresh = tmp_path / "fresh"
    git(["clone", "-q", str(app_repo), str(fresh)], tmp_path)
    git(["apply", "-"], fresh, patch.encode())
    env = scenario.environment(Path(run.out), [fault], None)
    with scenario.backend(run, env, "fresh-backend.log") as healthy:
        assert healthy
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            "sample_app/e2e/pytest.ini",
            "-p",
            "no:cacheprovider",
            "--base-url",
            run.base_url,
            "--storage-state",
            f"{run.out}/auth/state.json",
            "sample_app/e2e",
        ]
        return subprocess.run(argv, cwd=fresh, capture_output=True, check=False, env=env)


@pytest.mark.parametrize(
    ("fault", "file", "before", "after"),
    [
        (
            "drift_id",
            "sample_app/e2e/test_projects.py",
            'locator("#new-project-btn")',
            'get_by_role("link", name="New project")',
        ),
        (
            "drift_testid",
            "sample_app/e2e/pages.py",
            'get_by_test_id("project-row")',
            'get_by_test_id("project-item")',
        ),
        (
            "drift_label",
            "sample_app/e2e/test_projects.py",
            'get_by_label("Project name")',
            'get_by_role("textbox", name="Name of project")',  # a better tier than the label
        ),
        (
            "drift_text",
            "sample_app/e2e/test_tasks.py",
            'get_by_role("button", name="Add task")',
            'get_by_role("button", name="Create task")',
        ),
    ],
)
def test_a_selector_drift_gets_a_validated_patch_that_applies_on_a_fresh_checkout(
    app_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    file: str,
    before: str,
    after: str,
) -> None:
    patch, meta, run = fix(app_repo, tmp_path, fault, monkeypatch)
    assert meta.outcome == "validated", meta.reason
    assert meta.validation.reproduced is True
    assert meta.validation.baseline_error_type == "locator_not_found"
    assert [r.exit_code for r in meta.validation.runs] == [0, 0, 0]
    assert {(e.file, e.before, e.after) for e in meta.edits} == {(file, before, after)}
    assert f"+++ b/{file}" in patch
    assert meta.guardrails.decision == "pass"
    assert meta.patch_sha256
    assert meta.branch == f"agent-engine/fix/{fault}"
    assert git(["status", "--porcelain"], app_repo) == ""
    done = suite_passes_on_a_fresh_clone(app_repo, tmp_path, patch, run, fault)
    assert done.returncode == 0, done.stdout.decode()[-3000:]
    assert b" passed" in done.stdout
    assert b"failed" not in done.stdout


def test_a_removed_element_gives_an_empty_patch_and_an_abstention(
    app_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patch, meta, _ = fix(app_repo, tmp_path, "drift_removed", monkeypatch)
    assert patch == ""
    assert meta.outcome == "abstained"
    [heal] = meta.heals
    assert heal.locator == 'get_by_role("button", name="Add task")'
    assert heal.outcome in ("abstain_low_score", "abstain_ambiguous")
    assert heal.replacement == ""
    assert meta.validation.status == "not_run"
    document = json.loads((tmp_path / "fix-agent" / "metadata-drift_removed.json").read_text())
    assert document["needs_manual_review"] is False
    assert document["heals"][0]["candidates"] == heal.candidates


CORPUS = ROOT / "tests" / "fixtures" / "corpus"
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def test_prepare_input_redacts_snapshots_and_skips_what_it_cannot_read(
    app_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CORPUS / "locator_not_found" / "sample-app-drift_id"
    readable = tmp_path / "dom.html"
    readable.write_text(f'<a id="create-project-btn">New project</a><p>{TOKEN}</p>')
    huge = tmp_path / "huge.html"
    huge.write_bytes(b"<p>x</p>" * 700_000)
    junit = (case / "junit.xml").read_text()
    for old, new in zip(
        sorted(set(junit.split('dom_snapshot" value="')[1:])),
        [str(readable), str(tmp_path / "missing.html"), str(huge)],
        strict=True,
    ):
        junit = junit.replace(old.split('"')[0], new)
    (tmp_path / "junit.xml").write_text(junit)
    monkeypatch.chdir(app_repo)
    out = tmp_path / "fix-agent"
    argv = ["prepare-input", "--dir", str(out), "--analysis", str(tmp_path / "none.json")]
    argv += ["--junit", str(tmp_path / "junit.xml"), "--log", str(case / "test-output.log")]
    assert main(argv) == 0
    document = (out / "input.json").read_text()
    fix_input = FixInput.model_validate_json(document)
    assert fix_input.applicable
    assert len(fix_input.targets) == 3
    assert sum(bool(t.snapshot) for t in fix_input.targets) == 1
    [html] = fix_input.snapshots.values()
    assert "create-project-btn" in html
    assert TOKEN not in document
    assert "[REDACTED:" in html
    assert fix_input.base_sha == git(["rev-parse", "HEAD"], app_repo).strip()
    assert fix_input.evidence[0].file == "sample_app/e2e/test_projects.py"


def test_a_type_fixed_outside_the_code_gets_no_patch(
    app_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CORPUS / "database_unavailable" / "alembic-upgrade-connection-refused"
    logs = [str(p) for p in sorted(case.glob("*.log"))]
    monkeypatch.chdir(app_repo)
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_RUN_ID", "777")
    out = tmp_path / "fix-agent"
    common = ["--dir", str(out), "--analysis", str(tmp_path / "none.json")]
    assert main(["prepare-input", *common, *(a for log in logs for a in ("--log", log))]) == 0
    assert main(["apply-and-validate", *common]) == 0
    meta = FixMetadata.model_validate_json((out / "metadata-777.json").read_text())
    assert meta.outcome == "not_applicable"
    assert (out / "patch-777.diff").read_text() == ""
    assert "applicable=false" in outputs.read_text()
    assert "outcome=not_applicable" in outputs.read_text()
    assert "### Fix agent" in (tmp_path / "summary.md").read_text()


def test_apply_and_validate_without_an_input_is_a_clear_error(
    app_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(app_repo)
    assert main(["apply-and-validate", "--dir", str(tmp_path / "nothing")]) != 0
    assert "input.json: cannot read" in capsys.readouterr().err


def test_prepare_input_takes_the_last_passing_runs_pages_per_test(
    app_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--baseline`: the JUnit report of a passing run written with --agent-engine-baseline;
    each target gets the pages its test acted on then, redacted like the failure's."""
    case = CORPUS / "locator_not_found" / "sample-app-drift_id"
    failing = (case / "junit.xml").read_text()
    names = sorted(set(failing.split('classname="test_projects" name="')[1:]))
    # as downloaded from that run's artifact: the report names its pages from where it ran
    page = tmp_path / "artifact" / "out" / "e2e" / "baseline-1.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<a id="new-project-btn" href="/projects/new">New project</a><p>{TOKEN}</p>')
    cases = "".join(
        f'<testcase classname="test_projects" name="{n.split(chr(34))[0]}" time="1"><properties>'
        f'<property name="dom_baseline" value="out/e2e/baseline-1.html"/></properties></testcase>'
        for n in names
    )
    passing = tmp_path / "passing.xml"
    passing.write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')
    monkeypatch.chdir(app_repo)
    out = tmp_path / "fix-agent"
    argv = ["prepare-input", "--dir", str(out), "--analysis", str(tmp_path / "none.json")]
    argv += ["--junit", str(case / "junit.xml"), "--log", str(case / "test-output.log")]
    root = ["--baseline-root", str(tmp_path / "artifact")]
    assert main([*argv, "--baseline", str(passing), *root]) == 0
    document = (out / "input.json").read_text()
    fix_input = FixInput.model_validate_json(document)
    assert fix_input.targets
    assert all(len(t.baselines) == 1 for t in fix_input.targets)
    html = fix_input.snapshots[fix_input.targets[0].baselines[0]]
    assert 'id="new-project-btn"' in html
    assert TOKEN not in document
    assert main(argv) == 0  # without it: no baselines, as before
    again = FixInput.model_validate_json((out / "input.json").read_text())
    assert not any(t.baselines for t in again.targets)
