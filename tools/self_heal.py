"""`python -m tools.self_heal`: the same as `agent-engine self-heal`."""

from agent_engine.cli.self_heal import main

if __name__ == "__main__":
    raise SystemExit(main())
