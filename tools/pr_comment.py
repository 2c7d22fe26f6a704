"""`python -m tools.pr_comment`: the same as `agent-engine comment`."""

from agent_engine.cli.comment import main

if __name__ == "__main__":
    raise SystemExit(main())
