"""`python -m tools.backend`: the same as `agent-engine backend`."""

from agent_engine.cli.backend import main

if __name__ == "__main__":
    raise SystemExit(main())
