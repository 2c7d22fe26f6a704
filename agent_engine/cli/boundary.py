"""The error boundary shared by every command line: known errors become a message and a code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from agent_engine.cli.actions import annotate
from agent_engine.contracts import ErrorResponse
from agent_engine.errors import AgentEngineError


def guarded(run: Callable[[], int], *, json_errors: bool = False) -> int:
    """Run a command; a known error prints one line (or the JSON error shape) and its code."""
    try:
        return run()
    except AgentEngineError as exc:
        annotate("error", exc.message)
        if json_errors:
            print(ErrorResponse(error=exc.body()).model_dump_json(indent=2))
        print(f"error: {exc.message}\n  next: {exc.next_step}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as other command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
