"""`python -m tools.e2e`: the same as `agent-engine e2e`."""

from agent_engine.cli.e2e import main

if __name__ == "__main__":
    raise SystemExit(main())
