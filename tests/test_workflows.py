"""The workflows pass zizmor's offline audit (R7) and pin every action by commit SHA."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


def test_zizmor_finds_nothing() -> None:
    zizmor = str(Path(sys.executable).parent / "zizmor")
    done = subprocess.run(
        [zizmor, "--offline", str(WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_actions_are_pinned_to_a_sha_with_their_version(workflow: Path) -> None:
    uses = re.findall(r"uses: (\S+)(.*)", workflow.read_text(encoding="utf-8"))
    for action, comment in uses:
        if action.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)
