"""`python -m tools.send_ci_logs`: the same as `agent-engine ship`."""

from agent_engine.cli.ship import main

if __name__ == "__main__":
    raise SystemExit(main())
