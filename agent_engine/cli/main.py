"""agent-engine <stage> <command> [options]: every stage of the pipeline behind one command.

  classify    a verdict from logs and JUnit reports, offline
  ship        ship a run's evidence to the Cloud-Agent (an outbox when it is away)
  flush       resend what waits in the outbox
  self-heal   prepare-context | decide | execute: bounded repairs of the environment
  fix         prepare-input | apply-and-validate: a guarded, validated locator patch
  dashboard   build: the static site for GitHub Pages
  comment     render | post: the sticky PR comment
  serve       cloud-agent | developer-agent: a service under uvicorn
  pipeline    run: the whole flow on this machine
  backend     prepare | start | wait | stop: the app under test
  e2e         auth | smoke | run: the E2E suite as agent-engine.toml says
  init        write a commented agent-engine.toml for this repository
  doctor      check agent-engine.toml against this machine and say what to fix
  schema      the JSON Schemas of the contract documents

`agent-engine <stage> --help` says more about each."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

from agent_engine import __version__

# stage -> (module in agent_engine.cli, arguments put first: `ship` and `flush` are commands
# of one module).
STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "classify": ("classify", ()),
    "ship": ("ship", ("ship",)),
    "flush": ("ship", ("flush",)),
    "self-heal": ("self_heal", ()),
    "fix": ("fix", ()),
    "dashboard": ("dashboard", ()),
    "comment": ("comment", ()),
    "serve": ("serve", ()),
    "pipeline": ("pipeline", ()),
    "backend": ("backend", ()),
    "e2e": ("e2e", ()),
    "init": ("init", ()),
    "doctor": ("doctor", ()),
    "schema": ("schema", ()),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    if args[0] == "--version":
        print(f"agent-engine {__version__}")
        return 0
    stage, rest = args[0], args[1:]
    if stage not in STAGES:
        print(
            f"agent-engine: unknown stage {stage!r}; one of: {', '.join(STAGES)}", file=sys.stderr
        )
        return 2
    module, first = STAGES[stage]
    entry: Callable[[Sequence[str]], int] = importlib.import_module(
        f"agent_engine.cli.{module}"
    ).main
    return entry([*first, *rest])


if __name__ == "__main__":
    sys.exit(main())
