"""`python -m tools.dashboard`: the same as `agent-engine dashboard`."""

from agent_engine.cli.dashboard import main

if __name__ == "__main__":
    raise SystemExit(main())
