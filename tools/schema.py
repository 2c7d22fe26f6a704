"""`python -m tools.schema`: the same as `agent-engine schema`."""

from agent_engine.cli.schema import main

if __name__ == "__main__":
    raise SystemExit(main())
