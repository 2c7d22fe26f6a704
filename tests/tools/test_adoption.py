"""Adopting Agent Engine as a new user would, with nothing but the wheel: it is built from this
repository, installed into a fresh venv outside it, and pointed at a second app written in
another style than sample_app (tests/fixtures/adopt: a project in a sub-folder, UI tests that
launch their own browser through a page object, a git-ignored runtime folder the tests read).
Only `agent-engine init`, `doctor` and `pipeline run` are used; a locator drift ends in a
validated patch that applies to a fresh clone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from agent_engine.fix.worktree import git

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "fixtures" / "adopt"
CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or "/usr/bin/chromium"


def commit(repo: Path, message: str) -> None:
    git(["add", "-A"], repo)
    git(["-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-qm", message], repo)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the agent-engine wheel and what the app's suite needs."""
    where = tmp_path_factory.mktemp("adopt")
    wheels = where / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    env_dir = where / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = next(wheels.glob("agent_engine-*.whl"))
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel), "pytest", "playwright"],
        capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return env_dir / "bin"


def user(bin_dir: Path, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command as the user types it: the venv's agent-engine, from the repository."""
    env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "CHROMIUM_EXECUTABLE": CHROMIUM,
    }
    return subprocess.run(
        [str(bin_dir / "agent-engine"), *args],
        cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=1200,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs a Chromium (installed by tools.dev)")
def test_init_doctor_and_pipeline_run_end_in_a_validated_patch(
    installed: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "inventory-repo"
    shutil.copytree(APP, repo)
    git(["init", "-q", "-b", "main"], repo)
    commit(repo, "inventory")
    where = subprocess.run(
        [str(installed / "python"), "-c", "import agent_engine; print(agent_engine.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert "site-packages" in where
    assert str(ROOT) not in where

    init = user(installed, repo, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "1 Playwright test file(s) in services/inventory/qa/ui" in init.stdout
    config = tomllib.loads((repo / "agent-engine.toml").read_text())
    assert config["app"]["start"][:4] == ["{python}", "-m", "uvicorn", "inventory.app:app"]
    assert config["app"]["base_url"] == "http://127.0.0.1:8765"
    assert config["fix_agent"]["worktree_copy"] == ["services/inventory/workdir"]
    assert config["fix_agent"]["guardrails"]["allowed"] == ["services/inventory/qa/ui/**/*.py"]

    doctor = user(installed, repo, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "probe: a DOM snapshot of the failure is named in the JUnit report" in doctor.stdout
    assert "doctor: nothing to fix" in doctor.stdout
    assert git(["status", "--porcelain"], repo) == "?? agent-engine.toml\n"  # nothing left behind

    page = repo / "services" / "inventory" / "inventory" / "static" / "index.html"
    page.write_text(page.read_text().replace('id="add-item-button"', 'id="create-item-button"'))
    commit(repo, "rename the add button; adopt Agent Engine")

    run = user(installed, repo, "pipeline", "run")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Verdict      locator_not_found" in run.stdout
    assert "Fix patch    validated" in run.stdout, run.stdout[-3000:]
    patch = next((repo / "out" / "pipeline").glob("run-*/fix-agent/patch-*.diff")).read_text()
    assert "+++ b/services/inventory/qa/ui/pages/inventory_page.py" in patch
    assert '-        self.page.locator("#add-item-button").click()' in patch
    assert '+        self.page.get_by_role("button", name="Add item").click()' in patch

    clone = tmp_path / "clone"
    git(["clone", "-q", str(repo), str(clone)], tmp_path)
    assert git(["apply", "--check", "-"], clone, patch.encode()) == ""
