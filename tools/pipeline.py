"""`python -m tools.pipeline`: the same as `agent-engine pipeline`."""

from agent_engine.cli.pipeline import main

if __name__ == "__main__":
    raise SystemExit(main())
