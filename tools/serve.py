"""`python -m tools.serve`: the same as `agent-engine serve`."""

from agent_engine.cli.serve import main

if __name__ == "__main__":
    raise SystemExit(main())
