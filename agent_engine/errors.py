"""The known errors: each says what went wrong, whose move it is, and what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from agent_engine.models import ErrorBlocker, ErrorBody, ErrorDetail


class AgentEngineError(Exception):
    """Base of the errors an entry point turns into an exit code or the error shape."""

    code = "internal_error"
    blocker = ErrorBlocker.SYSTEM
    next_step = "report this with the request id or the command line"
    retryable = False
    exit_code = 1

    def __init__(
        self, message: str, *, details: Sequence[ErrorDetail] = (), next_step: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        if next_step:
            self.next_step = next_step

    def body(self, request_id: str = "") -> ErrorBody:
        """The error shape of spec/contracts.md."""
        return ErrorBody(
            error_code=self.code,
            message=self.message,
            blocker_type=self.blocker,
            next_step=self.next_step,
            retryable=self.retryable,
            details=self.details,
            request_id=request_id,
        )


class InputError(AgentEngineError):
    """An input file is missing, unreadable or malformed."""

    code = "invalid_input"
    blocker = ErrorBlocker.AGENT
    next_step = "check the path and that the file is readable, then run the command again"
    exit_code = 2


class ConfigError(AgentEngineError):
    """agent-engine.toml or a rule pack is invalid."""

    code = "invalid_config"
    blocker = ErrorBlocker.AGENT
    next_step = "fix the named key in the named file, then run the command again"
    exit_code = 2
