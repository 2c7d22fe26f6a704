"""python3 -m tools.dev: the README's commands, run as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_classifies_the_bundled_logs() -> None:
    """Runs on the system interpreter like the README; .venv already exists under the tests."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.dev", "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("[dev] classifying ") == 5
    for verdict in (
        "locator_not_found (code)",
        "database_unavailable (infrastructure)",
        "backend_exception (code)",
        "dependency_install_failed (external)",
        "runner_cancelled (infrastructure)",
    ):
        assert verdict in done.stdout


def test_help_names_the_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.dev", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "{demo,setup,test}" in done.stdout
