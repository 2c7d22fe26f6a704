"""The app under test as a background process: prepare, start, wait for health, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from agent_engine.contracts import ErrorBlocker
from agent_engine.errors import AgentEngineError
from agent_engine.files import write_atomic
from agent_engine.heal.process import tee
from agent_engine.settings import AppSettings, expand


class BackendError(AgentEngineError):
    """The app under test could not be prepared, started or reached."""

    code = "backend_failed"
    blocker = ErrorBlocker.SYSTEM
    next_step = "read the backend log named in the message"


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    seconds: float
    detail: str


def free_port() -> int:
    """A TCP port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def argv(command: list[str]) -> list[str]:
    return expand(command, python=sys.executable)


def prepare(app: AppSettings) -> None:
    """Migrate and seed as [app] says, each command's output shown and kept in the app's
    prepare log for the shipper (a migration refused by the database is evidence)."""
    log = app.prepare_log
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"")
    for name, command in (("migrate", app.migrate), ("seed", app.seed)):
        if command is None:
            continue
        code = tee(argv(command), log, app.env, label=name, append=True)
        if code:
            raise BackendError(f"{name} exited with {code}; its output is in {log}")


def start(app: AppSettings, pid_file: Path) -> int:
    """Start the app in its own process group, its output appended to `app.log`."""
    app.log.parent.mkdir(parents=True, exist_ok=True)
    with app.log.open("ab") as log:
        process = subprocess.Popen(
            argv(app.start),
            env=os.environ | app.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _CHILDREN[process.pid] = process
    write_atomic(pid_file, f"{process.pid}\n")
    return process.pid


# Backends this process started, so their exit is seen (and reaped) here; a backend started
# by another process (a previous command) is known only by its pid file.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def alive(pid: int) -> bool:
    if pid in _CHILDREN:
        return _CHILDREN[pid].poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_healthy(url: str, timeout_s: float, pid: int | None = None) -> Health:
    """Poll the health URL until it answers 200, the process dies, or the time is up."""
    started = time.monotonic()
    detail = "no answer yet"
    while time.monotonic() - started < timeout_s:
        if pid is not None and not alive(pid):
            return Health(False, time.monotonic() - started, f"the process {pid} exited")
        try:
            answer = httpx.get(url, timeout=2.0)
            if answer.status_code == 200:
                return Health(True, time.monotonic() - started, "200 OK")
            detail = f"HTTP {answer.status_code}: {answer.text[:200]}"
        except httpx.HTTPError as exc:
            detail = f"{type(exc).__name__}: {exc}"
        time.sleep(0.25)
    return Health(False, time.monotonic() - started, detail)


def stop(pid_file: Path, grace_s: float = 10.0) -> bool:
    """Stop the process group named in `pid_file`: SIGTERM, then SIGKILL after `grace_s`."""
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().strip())
    try:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        child.wait()
    pid_file.unlink(missing_ok=True)
    return True
