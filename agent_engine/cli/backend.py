"""Prepare, start, health-check and stop the app under test, as agent-engine.toml says:
agent-engine backend prepare|start|wait|stop [--config FILE]"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from agent_engine.cli.boundary import guarded
from agent_engine.errors import ConfigError
from agent_engine.heal import backend
from agent_engine.settings import AppSettings, load_settings

PID_FILE = Path("out/backend.pid")


def app_settings(args: argparse.Namespace) -> AppSettings:
    settings = load_settings(args.config)
    if settings.app is None:
        raise ConfigError("agent-engine.toml has no [app] section: nothing to start")
    return settings.app


def cmd_prepare(args: argparse.Namespace) -> int:
    backend.prepare(app_settings(args))
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    app = app_settings(args)
    pid = backend.start(app, args.pid_file)
    print(f"backend: started pid {pid} ({' '.join(backend.argv(app.start))}); log: {app.log}")
    return 0


def cmd_wait(args: argparse.Namespace) -> int:
    app = app_settings(args)
    pid = int(args.pid_file.read_text()) if args.pid_file.exists() else None
    health = backend.wait_healthy(app.health_url, app.health_timeout_s, pid)
    if not health.ok:
        raise backend.BackendError(
            f"{app.health_url} not healthy after {health.seconds:.1f}s ({health.detail}); "
            f"see {app.log}"
        )
    print(f"backend: {app.health_url} healthy after {health.seconds:.1f}s")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    stopped = backend.stop(args.pid_file)
    print(f"backend: {'stopped' if stopped else 'was not running'} ({args.pid_file})")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "prepare": cmd_prepare,
    "start": cmd_start,
    "wait": cmd_wait,
    "stop": cmd_stop,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agent-engine backend", description=__doc__)
    parser.add_argument("command", choices=list(COMMANDS))
    parser.add_argument("--config", type=Path, default=None, help="agent-engine.toml")
    parser.add_argument(
        "--pid-file",
        type=Path,
        default=PID_FILE,
        help=f"where the backend's pid is kept (default: {PID_FILE})",
    )
    args = parser.parse_args(argv)
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
