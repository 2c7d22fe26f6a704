"""Running a child process safely: argv only (no shell), stdin closed, its own process group,
a wall-clock timeout, a stall timeout (no output for N seconds), an output cap, and the whole
group terminated then killed, so nothing is left behind. Output is copied to files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import BaseModel

POLL_S = 0.05
TAIL_BYTES = 4000


class ProcessRecord(BaseModel):
    """Everything a report says about one child process."""

    name: str
    argv: list[str]
    pid: int
    exit_code: int | None = None
    duration_s: float = 0.0
    timed_out: bool = False
    stalled: bool = False
    output_capped: bool = False
    ended_by: str = "exit"  # exit | terminate | kill
    stdout: str
    stderr: str
    stdout_tail: str = ""
    stderr_tail: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_s: float = 600.0
    stall_s: float = 120.0
    grace_s: float = 5.0
    max_output_bytes: int = 50 * 1024 * 1024


def run(
    name: str,
    argv: Sequence[str],
    out_dir: Path,
    *,
    limits: Limits = Limits(),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    on_start: Callable[[ProcessRecord], None] | None = None,
) -> ProcessRecord:
    """Run `argv` to its end or its limits; `on_start` sees the pid before any waiting."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = (out_dir / f"{name}.stdout.log", out_dir / f"{name}.stderr.log")
    started = time.monotonic()
    child = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        start_new_session=True,
    )
    record = ProcessRecord(
        name=name, argv=list(argv), pid=child.pid, stdout=str(paths[0]), stderr=str(paths[1])
    )
    if on_start is not None:
        on_start(record)
    output = _Output(limits.max_output_bytes)
    readers = [
        threading.Thread(target=output.copy, args=(pipe, path), daemon=True)
        for pipe, path in ((child.stdout, paths[0]), (child.stderr, paths[1]))
    ]
    for reader in readers:
        reader.start()
    try:
        _watch(child, record, limits, output)
    except BaseException:
        # The caller is stopping (Ctrl-C, SIGTERM, an error): the child's group goes too.
        _stop_group(child, limits.grace_s)
        _sweep(child.pid)
        raise
    for reader in readers:
        reader.join(timeout=limits.grace_s)
    record.duration_s = round(time.monotonic() - started, 3)
    record.exit_code = child.returncode
    record.stdout_tail, record.stderr_tail = _tail(paths[0]), _tail(paths[1])
    return record


class _Output:
    """Copies the child's pipes to files, counting bytes and noting the last activity."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.total = 0
        self.capped = False
        self.last = time.monotonic()
        self._lock = threading.Lock()

    def copy(self, pipe: IO[bytes] | None, path: Path) -> None:
        if pipe is None:  # pragma: no cover - both pipes are always requested
            return
        with pipe, path.open("wb") as out:
            while chunk := pipe.read1(65536):  # type: ignore[attr-defined]
                with self._lock:
                    room = self.cap - self.total
                    self.total += len(chunk)
                    self.last = time.monotonic()
                    self.capped = self.capped or len(chunk) > room
                out.write(chunk[: max(0, room)])
                if self.capped:
                    return  # stop reading: the watcher ends the child


def _watch(
    child: subprocess.Popen[bytes], record: ProcessRecord, limits: Limits, output: _Output
) -> None:
    started = time.monotonic()
    while child.poll() is None:
        time.sleep(POLL_S)
        now = time.monotonic()
        if now - started > limits.timeout_s:
            record.timed_out = True
        elif now - output.last > limits.stall_s:
            record.stalled = True
        elif output.capped:
            record.output_capped = True
        else:
            continue
        record.ended_by = _stop_group(child, limits.grace_s)
        break
    _sweep(child.pid)  # grandchildren the child left behind in its group


def _stop_group(child: subprocess.Popen[bytes], grace_s: float) -> str:
    """SIGTERM to the whole group, then SIGKILL after the grace period."""
    _signal_group(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        _signal_group(child.pid, signal.SIGKILL)
        child.wait()
        return "kill"
    return "terminate"


def _sweep(pgid: int) -> None:
    _signal_group(pgid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _tail(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - TAIL_BYTES))
        return handle.read().decode("utf-8", "replace")


def tee(
    argv: list[str], log: Path, env: Mapping[str, str], *, label: str = "e2e", append: bool = False
) -> int:
    """Run `argv` in the foreground, its output line by line to this console and to `log`
    (a command whose output the shipper needs: the suite, the app's migrate and seed)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"{label}: {' '.join(argv)}", flush=True)
    with (
        log.open("ab" if append else "wb") as kept,
        subprocess.Popen(
            argv,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ) as child,
    ):
        assert child.stdout is not None
        try:
            for line in child.stdout:
                kept.write(line)
                sys.stdout.buffer.write(line)
                sys.stdout.flush()
        except BaseException:  # Ctrl-C or SIGTERM: the suite stops with us
            child.terminate()
            raise
        code = child.wait()
    print(f"{label}: exit {code}; output kept in {log}", flush=True)
    return code
