"""`python -m tools.fix_agent`: the same as `agent-engine fix`."""

from agent_engine.cli.fix import main

if __name__ == "__main__":
    raise SystemExit(main())
