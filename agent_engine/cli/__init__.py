"""The command lines: `agent-engine <stage> <command>`."""
