"""Run the app's CI jobs locally, as backend-setup does: migrate, seed, start the backend,
wait for its health URL, sign in (auth), run the E2E suite; every step's output kept.

    python -m sample_app.scenario --out out/scenario [--fault NAME]... [-- PYTEST ARGS]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
HEALTH_TIMEOUT_S = 20.0


@dataclass
class Step:
    name: str
    argv: list[str]
    log: str
    exit_code: int | None = None
    seconds: float = 0.0


@dataclass
class Scenario:
    """What ran, where each output is, and how each step ended."""

    out: str
    faults: list[str]
    database_url: str | None = None
    base_url: str = ""
    steps: list[Step] = field(default_factory=list)
    healthy: bool = False

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    @property
    def junit(self) -> Path:
        return Path(self.out) / "junit.xml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(out: Path, faults: Sequence[str], database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SAMPLE_APP_FAULTS", "DATABASE_URL")}
    env |= {
        "SAMPLE_APP_FAULTS": ",".join(faults),
        "SAMPLE_APP_SQLITE": str(out / "app.db"),
        "SAMPLE_APP_STATE_DIR": str(out / "state"),
        "PYTHONUNBUFFERED": "1",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_step(scenario: Scenario, name: str, argv: list[str], env: Mapping[str, str]) -> int:
    log = Path(scenario.out) / f"{name}.log"
    step = Step(name, argv, str(log))
    scenario.steps.append(step)
    started = time.monotonic()
    with log.open("wb") as handle:
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    step.exit_code, step.seconds = done.returncode, round(time.monotonic() - started, 2)
    print(f"[scenario] {name}: exit {done.returncode} in {step.seconds}s -> {log}", flush=True)
    return done.returncode


def wait_healthy(url: str, server: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urlopen(url, timeout=2) as answer:  # noqa: S310 - our own loopback URL
                if answer.status == 200:
                    return True
        except (URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def run(
    out: Path,
    faults: Sequence[str] = (),
    database_url: str | None = None,
    pytest_args: Sequence[str] = (),
) -> Scenario:
    """Run the jobs in order; a failed setup step stops the scenario, as it stops CI."""
    out.mkdir(parents=True, exist_ok=True)
    env = environment(out, faults, database_url)
    scenario = Scenario(str(out), list(faults), database_url)
    for name in ("migrate", "seed"):
        if run_step(scenario, name, [sys.executable, "-m", "sample_app", name], env) != 0:
            return finish(scenario)
    state = out / "auth" / "state.json"
    # Like CI: the auth-validator job and the e2e job each start their own backend.
    with backend(scenario, env, "backend-auth.log") as healthy:
        if not healthy or run_auth(scenario, env, state) != 0:
            return finish(scenario)
    with backend(scenario, env, "backend.log") as healthy:
        if healthy:
            run_suite(scenario, env, state, pytest_args)
    return finish(scenario)


@contextmanager
def backend(scenario: Scenario, env: Mapping[str, str], log_name: str) -> Iterator[bool]:
    """The app under uvicorn on a free port, its output in `log_name`; stopped on exit."""
    port = free_port()
    scenario.base_url = f"http://127.0.0.1:{port}"
    log = Path(scenario.out) / log_name
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "sample_app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        scenario.healthy = wait_healthy(f"{scenario.base_url}/api/health/", server)
        print(
            f"[scenario] backend on {scenario.base_url}: healthy={scenario.healthy} -> {log}",
            flush=True,
        )
        yield scenario.healthy
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def rerun(scenario: Scenario, test_ids: Sequence[str]) -> int:
    """Run only `test_ids` again against a fresh backend, without migrating or reseeding
    (what self-heal's `rerun_failed` does); outputs get the `rerun-` prefix."""
    out = Path(scenario.out)
    env = environment(out, scenario.faults, scenario.database_url)
    state = out / "auth" / "state.json"
    with backend(scenario, env, "rerun-backend.log") as healthy:
        code = run_suite(scenario, env, state, list(test_ids), prefix="rerun-") if healthy else 1
    finish(scenario)
    return code


def run_auth(scenario: Scenario, env: Mapping[str, str], state: Path) -> int:
    argv = [
        sys.executable,
        "-m",
        "sample_app",
        "auth",
        "--url",
        scenario.base_url,
        "--state",
        str(state),
    ]
    return run_step(scenario, "auth", argv, env)


def run_suite(
    scenario: Scenario,
    env: Mapping[str, str],
    state: Path,
    pytest_args: Sequence[str],
    prefix: str = "",
) -> int:
    out = Path(scenario.out)
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        "sample_app/e2e/pytest.ini",
        "--base-url",
        scenario.base_url,
        "--storage-state",
        str(state),
        "--junitxml",
        str(out / f"{prefix}junit.xml"),
        "--output",
        str(out / f"{prefix}test-results"),
        *(pytest_args or ["sample_app/e2e"]),
    ]
    return run_step(scenario, f"{prefix}test-output", argv, env)


def finish(scenario: Scenario) -> Scenario:
    path = Path(scenario.out) / "scenario.json"
    path.write_text(json.dumps(asdict(scenario), indent=2) + "\n", encoding="utf-8")
    print(f"[scenario] done: {path}", flush=True)
    return scenario


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_app.scenario",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for logs and reports")
    parser.add_argument("--fault", action="append", default=[], help="a fault switch to turn on")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("pytest_args", nargs="*", help="tests or pytest options (after --)")
    args = parser.parse_args(argv)
    scenario = run(args.out, args.fault, args.database_url, args.pytest_args)
    failed = [s.name for s in scenario.steps if s.exit_code]
    return 1 if failed or not scenario.healthy else 0


if __name__ == "__main__":
    sys.exit(main())
