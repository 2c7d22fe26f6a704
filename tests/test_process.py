"""R6: children that wait on stdin, stall, flood output, ignore SIGTERM or leave grandchildren
end within their limits, the record says why, and no process is left."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from agent_engine.heal.process import Limits, ProcessRecord, run

PY = sys.executable


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (
        Path(f"/proc/{pid}/status").exists()
        and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    )


def test_a_child_reading_stdin_gets_eof_at_once(tmp_path: Path) -> None:
    record = run("stdin", [PY, "-c", "import sys; print(len(sys.stdin.read()))"], tmp_path)
    assert (record.exit_code, record.ended_by, record.stdout_tail.strip()) == (0, "exit", "0")


def test_a_silent_child_is_stopped_as_stalled(tmp_path: Path) -> None:
    started = time.monotonic()
    record = run(
        "stall",
        [PY, "-c", "import time; print('hi', flush=True); time.sleep(60)"],
        tmp_path,
        limits=Limits(timeout_s=30, stall_s=0.5, grace_s=1),
    )
    assert record.stalled
    assert not record.timed_out
    assert record.ended_by == "terminate"
    assert time.monotonic() - started < 0.5 + 1 + 2
    assert record.stdout_tail == "hi\n"
    assert not alive(record.pid)


def test_a_busy_child_past_its_wall_clock_is_timed_out(tmp_path: Path) -> None:
    code = "import time\nwhile True:\n    print('tick', flush=True); time.sleep(0.05)"
    record = run("busy", [PY, "-c", code], tmp_path, limits=Limits(timeout_s=0.6, stall_s=5))
    assert record.timed_out
    assert not record.stalled
    assert record.exit_code is not None
    assert record.exit_code < 0


def test_a_flood_of_output_is_capped(tmp_path: Path) -> None:
    code = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)"
    record = run(
        "flood", [PY, "-c", code], tmp_path, limits=Limits(timeout_s=20, max_output_bytes=2_000_000)
    )
    assert record.output_capped
    assert Path(record.stdout).stat().st_size < 50_000_000
    assert len(record.stdout_tail) <= 4000


def test_a_child_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    code = (
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\ntime.sleep(60)"
    )
    record = run(
        "stubborn",
        [PY, "-c", code],
        tmp_path,
        limits=Limits(timeout_s=0.8, stall_s=30, grace_s=0.5),
    )
    assert (record.timed_out, record.ended_by) == (True, "kill")
    assert not alive(record.pid)


def test_grandchildren_are_not_left_behind(tmp_path: Path) -> None:
    code = (
        "import subprocess, sys\n"
        f"child = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(300)'])\n"
        "print(child.pid, flush=True)"
    )
    record = run("parent", [PY, "-c", code], tmp_path)
    grandchild = int(record.stdout_tail.strip())
    time.sleep(0.2)
    assert record.exit_code == 0
    assert not alive(grandchild)


def test_the_pid_is_known_before_the_wait(tmp_path: Path) -> None:
    seen: list[ProcessRecord] = []
    record = run(
        "quick", [PY, "-c", "print('ok')"], tmp_path, on_start=lambda r: seen.append(r.model_copy())
    )
    assert seen[0].pid == record.pid
    assert seen[0].exit_code is None
    assert Path(record.stderr).exists()


def test_an_interrupted_caller_takes_the_child_with_it(tmp_path: Path) -> None:
    """Ctrl-C (or a SIGTERM turned into an exit) while waiting stops the child's whole group."""
    seen: list[ProcessRecord] = []

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            run("long", [PY, "-c", "import time; time.sleep(300)"], tmp_path, on_start=seen.append)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    time.sleep(0.2)
    assert not alive(seen[0].pid)
