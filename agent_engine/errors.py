"""The known errors: each says what went wrong, whose move it is, and what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from agent_engine.contracts import ErrorBlocker, ErrorBody, ErrorDetail


class AgentEngineError(Exception):
    """Base of the errors an entry point turns into an exit code or the error shape."""

    code = "internal_error"
    status = 500
    blocker = ErrorBlocker.SYSTEM
    next_step = "report this with the request id or the command line"
    retryable = False
    retry_after: int | None = None
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
    status = 400
    blocker = ErrorBlocker.AGENT
    next_step = "check the path and that the file is readable, then run the command again"
    exit_code = 2


class ConfigError(AgentEngineError):
    """agent-engine.toml or a rule pack is invalid."""

    code = "invalid_config"
    blocker = ErrorBlocker.AGENT
    next_step = "fix the named key in the named file, then run the command again"
    exit_code = 2


# --- the services' answers (spec/contracts.md, Errors) ---------------------------------------


class PayloadError(AgentEngineError):
    code = "invalid_payload"
    status = 400
    blocker = ErrorBlocker.AGENT
    next_step = "fix the payload and resend with the same Idempotency-Key"


class UnauthorizedError(AgentEngineError):
    code = "unauthorized"
    status = 401
    blocker = ErrorBlocker.AGENT
    next_step = "send 'Authorization: Bearer <token>' with the token this service expects"


class NotFoundError(AgentEngineError):
    code = "not_found"
    status = 404
    blocker = ErrorBlocker.AGENT
    next_step = "check the path and the run key"


class MethodNotAllowedError(AgentEngineError):
    code = "method_not_allowed"
    status = 405
    blocker = ErrorBlocker.AGENT
    next_step = "use the method the API documents for this path (see /openapi.json)"


class IdempotencyConflictError(AgentEngineError):
    code = "idempotency_conflict"
    status = 409
    blocker = ErrorBlocker.AGENT
    next_step = "a different body was already stored under this Idempotency-Key: use a new key"


class PayloadTooLargeError(AgentEngineError):
    code = "payload_too_large"
    status = 413
    blocker = ErrorBlocker.AGENT
    next_step = "trim the logs (keep head, tail and windows around errors) and resend"


class RequestTimeoutError(AgentEngineError):
    code = "request_timeout"
    status = 408
    blocker = ErrorBlocker.AGENT
    next_step = "send the whole body at once; resend with the same Idempotency-Key"


class ClientGoneError(RequestTimeoutError):
    code = "client_disconnected"
    next_step = "resend the batch with the same Idempotency-Key"


class HeadersTooLargeError(AgentEngineError):
    code = "headers_too_large"
    status = 431
    blocker = ErrorBlocker.AGENT
    next_step = "send fewer and shorter headers"


class UnsupportedMediaTypeError(AgentEngineError):
    code = "unsupported_media_type"
    status = 415
    blocker = ErrorBlocker.AGENT
    next_step = "send Content-Type: application/json, optionally Content-Encoding: gzip"


class RateLimitedError(AgentEngineError):
    code = "rate_limited"
    status = 429
    blocker = ErrorBlocker.TRANSIENT
    next_step = "wait for Retry-After seconds, then resend with the same Idempotency-Key"
    retryable = True
    retry_after = 10


class UnavailableError(AgentEngineError):
    """Errors that a retry with the same Idempotency-Key after Retry-After may clear."""

    status = 503
    blocker = ErrorBlocker.TRANSIENT
    next_step = "retry after Retry-After seconds with the same Idempotency-Key"
    retryable = True
    retry_after = 5


class DeployingError(UnavailableError):
    code = "deploying"
    retry_after = 10


class StoreUnavailableError(UnavailableError):
    code = "store_unavailable"


class UpstreamUnavailableError(UnavailableError):
    code = "upstream_unavailable"
    status = 502
    blocker = ErrorBlocker.EXTERNAL


class UpstreamTimeoutError(UnavailableError):
    code = "upstream_timeout"
    status = 504
    blocker = ErrorBlocker.EXTERNAL


class NotConfiguredError(AgentEngineError):
    code = "not_configured"
    status = 503
    blocker = ErrorBlocker.SYSTEM
    next_step = "the operator must set the secret named in the message; the service never runs open"
