"""Run the app's own E2E commands from agent-engine.toml, output shown and kept:
agent-engine e2e auth|smoke|run [--config FILE]

auth signs in once and saves the storage state ([e2e] auth); smoke runs the page smoke subset
([e2e] smoke); run runs the whole suite ([e2e] run), its output kept in [e2e] log for the
shipper. The exit code is the command's: the E2E result is the primary CI signal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from agent_engine.cli.boundary import guarded
from agent_engine.cli.common import command_parser
from agent_engine.errors import ConfigError
from agent_engine.heal.process import tee
from agent_engine.settings import E2ESettings, Settings, expand, load_settings


def e2e_settings(settings: Settings) -> E2ESettings:
    if settings.e2e is None:
        raise ConfigError("agent-engine.toml has no [e2e] section: no suite to run")
    return settings.e2e


def command(settings: Settings, which: str) -> list[str]:
    e2e = e2e_settings(settings)
    chosen: list[str] | None = getattr(e2e, which)
    if chosen is None:
        raise ConfigError(f"agent-engine.toml has no [e2e] {which} command")
    base_url = settings.app.base_url if settings.app else ""
    return expand(chosen, python=sys.executable, base_url=base_url)


def runner(which: str, log: Callable[[E2ESettings], Path]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        settings = load_settings(args.config)
        e2e = e2e_settings(settings)
        return tee(command(settings, which), log(e2e), e2e.env)

    return run


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "auth": runner("auth", lambda e2e: e2e.log.parent / "auth.log"),
    "smoke": runner("smoke", lambda e2e: e2e.log.parent / "smoke.log"),
    "run": runner("run", lambda e2e: e2e.log),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("agent-engine e2e", __doc__, COMMANDS)
    parser.add_argument("--config", type=Path, default=None, help="agent-engine.toml")
    args = parser.parse_args(argv)
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
