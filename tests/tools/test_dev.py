"""python3 -m tools.dev: the README's commands, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_the_whole_pipeline(tmp_path: Path) -> None:
    """The README's main command, on the system interpreter as a user runs it (.venv exists
    under the tests); the app on agent-engine.toml's own port, outputs in a temporary folder."""
    out = tmp_path / "pipeline"
    done = subprocess.run(
        [sys.executable, "-m", "tools.dev", "demo", "--fault", "drift_id", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        env={**os.environ, "E2E_TIMEOUT_MS": "2500"},
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "[dev] running the whole pipeline: python -m tools.pipeline run --fault drift_id" in (
        done.stdout
    )
    assert "Fix patch    validated" in done.stdout
    assert (out / "site" / "index.html").exists()


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
