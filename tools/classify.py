"""`python -m tools.classify`: the same as `agent-engine classify`."""

from agent_engine.cli.classify import main

if __name__ == "__main__":
    raise SystemExit(main())
