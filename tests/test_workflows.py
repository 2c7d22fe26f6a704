"""The workflows: zizmor's offline audit finds nothing (R7), every action pinned by commit SHA,\nthe job graph, least privilege, best-effort agent jobs, and every command they run exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
ACTION = WORKFLOWS.parent / "actions" / "run" / "action.yml"


def test_zizmor_finds_nothing() -> None:
    zizmor = str(Path(sys.executable).parent / "zizmor")
    done = subprocess.run(
        [zizmor, "--offline", str(WORKFLOWS), str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "workflow", [*sorted(WORKFLOWS.glob("*.yml")), ACTION], ids=lambda p: p.name
)
def test_actions_are_pinned_to_a_sha_with_their_version(workflow: Path) -> None:
    uses = re.findall(r"uses: (\S+)(.*)", workflow.read_text(encoding="utf-8"))
    for action, comment in uses:
        if action.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)


# --- the job graph, permissions and commands of agent-engine.yml --------------------------------

ROOT = WORKFLOWS.parent.parent
AGENT_JOBS = (
    "send-ci-logs",
    "startup-fix-agent",
    "self-heal-supervisor",
    "self-heal-runner",
    "fix-agent-prep",
    "fix-agent-runner",
    "ci-dashboard-agent",
    "publish-dashboard",
)


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    document["on"] = document.pop(True, document.get("on"))
    return document


def needs(job: dict[str, Any]) -> list[str]:
    wanted = job.get("needs", [])
    return [wanted] if isinstance(wanted, str) else list(wanted)


def test_the_jobs_run_in_the_order_of_the_flow() -> None:
    jobs = load("agent-engine.yml")["jobs"]
    order = [
        ("seed-orchestrator", "auth-validator"),
        ("page-smoke", "seed-orchestrator"),
        ("e2e-tests", "page-smoke"),
        ("send-ci-logs", "e2e-tests"),
        ("startup-fix-agent", "send-ci-logs"),
        ("self-heal-supervisor", "startup-fix-agent"),
        ("self-heal-runner", "self-heal-supervisor"),
        ("fix-agent-prep", "send-ci-logs"),
        ("fix-agent-runner", "fix-agent-prep"),
        ("ci-dashboard-agent", "fix-agent-runner"),
        ("ci-dashboard-agent", "self-heal-runner"),
        ("publish-dashboard", "ci-dashboard-agent"),
    ]
    for job, before in order:
        assert before in needs(jobs[job]), (job, before)
    assert set(jobs) == {
        "auth-validator",
        "seed-orchestrator",
        "page-smoke",
        "e2e-tests",
        *AGENT_JOBS,
    }
    for name in ("auth-validator", "seed-orchestrator", "page-smoke", "e2e-tests"):
        assert jobs[name]["uses"] == "./.github/workflows/backend-setup.yml"


def test_triggers_and_concurrency_per_pr() -> None:
    workflow = load("agent-engine.yml")
    assert set(workflow["on"]) == {"pull_request", "push", "workflow_dispatch"}
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"self-heal", "fix-agent", "max-attempts"}
    assert "pull_request.number" in workflow["concurrency"]["group"]


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_least_privilege_and_timeouts(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {}
    for job_name, job in workflow["jobs"].items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), (name, job_name)
        assert set(granted.values()) <= {"read", "write"}
        if "steps" in job:
            assert 0 < job["timeout-minutes"] <= 60, (name, job_name)
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
    writes = {
        (job_name, scope)
        for job_name, job in workflow["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    }
    expected = {
        "agent-engine.yml": {("publish-dashboard", "pages"), ("publish-dashboard", "id-token")},
        "agent-engine-comment.yml": {("post-comment", "pull-requests")},
        "backend-setup.yml": set(),
    }
    assert writes == expected[name]


def test_agent_jobs_cannot_change_the_primary_result() -> None:
    jobs = load("agent-engine.yml")["jobs"]
    for name in AGENT_JOBS:
        job = jobs[name]
        if "uses" in job:  # a reusable workflow: best-effort command, and only after a failure
            assert job["with"]["best-effort"] is True, name
        else:
            assert job["continue-on-error"] is True, name
    for name in ("startup-fix-agent", "fix-agent-prep"):
        for core in CORE_JOBS:  # a failure at any core job, not only the suite's
            assert f"needs.{core}.result == 'failure'" in jobs[name]["if"], (name, core)
            assert core in needs(jobs[name])


CORE_JOBS = ("auth-validator", "seed-orchestrator", "page-smoke", "e2e-tests")


def test_every_log_of_the_run_is_shipped_whichever_job_failed() -> None:
    jobs = load("agent-engine.yml")["jobs"]
    ship = jobs["send-ci-logs"]
    assert set(needs(ship)) == set(CORE_JOBS)
    assert ship["if"] == "${{ !cancelled() }}"  # also when a job before the suite failed
    download = next(s for s in ship["steps"] if "download-artifact" in str(s.get("uses")))
    assert download["with"]["pattern"] == "{backend-logs-*,*-results,auth-state}"
    assert "merge-multiple" not in download["with"]  # each artifact in its own folder
    assert download["continue-on-error"] is True
    run = next(s for s in ship["steps"] if "send_ci_logs ship" in s.get("run", ""))
    assert run["run"] == 'python -m tools.send_ci_logs ship logs --junit logs --outcome "$OUTCOME"'
    assert (
        run["env"]["OUTCOME"]
        == "${{ contains(needs.*.result, 'failure') && 'failure' || 'success' }}"
    )
    dashboard = jobs["ci-dashboard-agent"]
    assert set(CORE_JOBS) <= set(needs(dashboard))
    assert dashboard["if"] == "${{ !cancelled() }}"
    setup = load("backend-setup.yml")["jobs"]["backend"]["steps"]
    logs = next(s for s in setup if s.get("name") == "Upload the backend logs")
    assert logs["with"]["path"].split() == ["out/backend.log", "out/prepare.log"]
    assert logs["if"] == "${{ !cancelled() }}"


def test_evidence_is_uploaded_unless_cancelled() -> None:
    for name in sorted(p.name for p in WORKFLOWS.glob("*.yml")):
        for job in load(name)["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/upload-artifact@"):
                    assert "!cancelled()" in step.get("if", ""), (name, step)


def test_no_expression_inside_a_run_script() -> None:
    for name in sorted(p.name for p in WORKFLOWS.glob("*.yml")):
        for job in load(name)["jobs"].values():
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), (name, step["run"])


def commands() -> list[tuple[str, str]]:
    """Every `python -m tools.<stage> <sub>` a workflow runs, in run: or a command input."""
    found = set()
    for path in sorted(WORKFLOWS.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        for module, sub in re.findall(r"python3? -m (tools\.\w+)(?: ([a-z][a-z-]*))?", text):
            found.add((module, sub))
    return sorted(found)


def test_the_workflows_run_the_pipeline_stages() -> None:
    modules = {module for module, _ in commands()}
    assert modules >= {
        "tools.e2e", "tools.backend", "tools.send_ci_logs", "tools.self_heal",
        "tools.fix_agent", "tools.dashboard", "tools.pr_comment", "tools.dev",
    }  # fmt: skip


@pytest.mark.parametrize(("module", "sub"), commands(), ids=lambda v: v)
def test_every_command_a_workflow_names_exists(module: str, sub: str) -> None:
    argv = [sys.executable, "-m", module, *([sub] if sub else []), "--help"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    if sub:
        assert sub in done.stdout


def test_the_comment_workflow_treats_the_artifact_as_data() -> None:
    workflow = load("agent-engine-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == ["agent-engine"]
    [job] = workflow["jobs"].values()
    text = (WORKFLOWS / "agent-engine-comment.yml").read_text(encoding="utf-8")
    assert "head.sha" not in text  # never checks out the PR's code
    assert "ref:" not in text
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs[-1].startswith("python -m tools.pr_comment post")
    assert "--head-sha" in runs[-1]


# --- the action other repositories call ---------------------------------------------------


def action_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"][
        "steps"
    ]
    return steps


def test_the_action_installs_agent_engine_at_its_own_ref_never_the_callers_package() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    install = next(s for s in action_steps() if "Install Agent Engine" in s.get("name", ""))
    assert install["env"]["AGENT_ENGINE_SOURCE"] == "${{ github.action_path }}/../../.."
    assert 'pip install "$AGENT_ENGINE_SOURCE"' in install["run"]
    text = ACTION.read_text(encoding="utf-8")
    assert "pip install ." not in text
    assert "tools.dev" not in text  # this repository's bootstrap is not the user's
    assert (ACTION.parents[3] / "pyproject.toml").is_file()  # what ../../.. names


def test_the_action_never_flips_the_suites_result() -> None:
    steps = action_steps()
    after = steps[[s.get("id") for s in steps].index("e2e") + 1 :]
    agents = [s for s in after if s.get("run", "").lstrip().startswith(("agent-engine", "outcome"))]
    agents += [
        s
        for s in after
        if "agent-engine ship" in s.get("run", "") or "agent-engine fix" in s.get("run", "")
    ]
    for step in agents:
        if "backend stop" in step.get("run", ""):
            assert step["if"] == "${{ always() }}"
            continue
        assert step.get("continue-on-error") is True, step["name"]
    last = steps[-1]
    assert last["run"] == 'exit "${E2E_EXIT_CODE:-1}"'
    assert last["env"]["E2E_EXIT_CODE"] == "${{ steps.e2e.outputs.exit-code }}"
    assert "|| code=$?" in next(s for s in steps if s.get("id") == "e2e")["run"]
    for step in steps:
        assert "${{" not in step.get("run", ""), step["name"]


def action_commands() -> list[list[str]]:
    found = set()
    for step in action_steps():
        for stage, sub in re.findall(
            r"agent-engine ([a-z0-9-]+)(?: ([a-z][a-z-]*))?", step.get("run", "")
        ):
            found.add((stage, sub))
    return [list(f) for f in sorted(found)]


@pytest.mark.parametrize("command", action_commands(), ids=" ".join)
def test_every_command_the_action_names_exists(command: list[str]) -> None:
    stage, sub = command
    argv = [sys.executable, "-m", "agent_engine.cli.main", stage, *([sub] if sub else []), "--help"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


FAKE_GH = """#!/bin/sh
echo "gh $*" >> "$CALLS"
case "$*" in
  "run list"*"--branch main"*) echo 777 ;;
  "run list"*) ;;
  "run download 777"*)
    dir=$(echo "$*" | sed 's/.*--dir //')
    mkdir -p "$dir/e2e" && echo '<testsuites/>' > "$dir/e2e/junit.xml" ;;
  *) exit 1 ;;
esac
"""
FAKE_PYTHON = '#!/bin/sh\necho "python $*" >> "$CALLS"\n'


def test_the_fix_agent_heals_from_the_last_passing_runs_pages(tmp_path: Path) -> None:
    """Each suite run keeps its passing tests' pages; the fix agent's input takes those of the
    last passing run of the branch, else of the base branch (a recording `gh` stands in for
    GitHub), and goes on without them when there is none."""
    jobs = load("agent-engine.yml")["jobs"]
    assert jobs["e2e-tests"]["with"]["command"].startswith("AGENT_ENGINE_BASELINE=1 python -m")
    prep = jobs["fix-agent-prep"]
    assert prep["permissions"] == {"contents": "read", "actions": "read"}
    steps = {s.get("name"): s for s in prep["steps"]}
    download = steps["Download the last passing run's pages"]
    assert download["continue-on-error"] is True
    prepare = next(s for s in prep["steps"] if s.get("id") == "prepare")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("gh", FAKE_GH), ("python", FAKE_PYTHON)):
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    calls = tmp_path / "calls.txt"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CALLS": str(calls),
        "GITHUB_REPOSITORY": "octo/shop",
        "BRANCH": "feature/rename",
        "BASE": "main",
    }

    def run(script: str, folder: Path) -> list[str]:
        folder.mkdir(exist_ok=True)
        calls.write_text("")
        done = subprocess.run(["bash", "-e", "-c", script], cwd=folder, env=env, check=False)
        assert done.returncode == 0
        return calls.read_text().splitlines()

    found = run(download["run"], tmp_path / "ws")
    assert [c.split("--branch ")[1].split()[0] for c in found if "run list" in c] == [
        "feature/rename",
        "main",
    ]
    assert (tmp_path / "ws" / "baseline" / "out" / "e2e" / "junit.xml").exists()
    assert run(prepare["run"], tmp_path / "ws") == [
        "python -m tools.fix_agent prepare-input --baseline baseline/out/e2e/junit.xml "
        "--baseline-root baseline"
    ]
    assert run(prepare["run"], tmp_path / "fresh") == ["python -m tools.fix_agent prepare-input"]
