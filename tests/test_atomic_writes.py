"""R8: a stage killed while it writes leaves the old document or the new one, never half."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from agent_engine.files import write_atomic

WRITER = """
import json, sys
from pathlib import Path

from agent_engine.files import write_atomic
from agent_engine.files import write_atomic
target = Path(sys.argv[1])
n = 0
while True:
    n += 1
    write_atomic(target, json.dumps({"n": n, "padding": "x" * 2_000_000}))
    print(n, flush=True)
"""


def test_a_writer_killed_at_any_moment_leaves_whole_json(tmp_path: Path) -> None:
    target = tmp_path / "self-heal" / "report.json"
    for delay in (0.15, 0.3, 0.45, 0.6, 0.75):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert writer.stdout is not None
        writer.stdout.close()
        if target.exists():
            document = json.loads(target.read_text())  # never a partial document
            assert document["padding"] == "x" * 2_000_000
    # A killed writer may leave its hidden temporary; the next write of the file removes it.
    write_atomic(target, json.dumps({"n": 0}))
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]
