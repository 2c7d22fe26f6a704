"""Delivery of a batch to the Cloud-Agent: retries of connection errors, 429 and 5xx with
exponential backoff and jitter (stamina), Retry-After honoured, all within a deadline."""

from __future__ import annotations

import time

import httpx
import stamina

from agent_engine.contracts import Analysis, ErrorBlocker, ErrorResponse, Received
from agent_engine.errors import AgentEngineError

LOGS_PATH = "/api/ci/logs"


class UndeliverableError(AgentEngineError):
    """The receiver could not be reached or kept failing until the deadline: queue the batch."""

    code = "undeliverable"
    blocker = ErrorBlocker.TRANSIENT
    retryable = True
    next_step = "the batch waits in the outbox: run `agent-engine flush` later"


class RefusedError(AgentEngineError):
    """The receiver refused the batch for good (4xx): retrying the same body cannot help."""

    code = "refused"
    blocker = ErrorBlocker.AGENT
    next_step = "read the receiver's error: fix the token or the batch, then ship again"


class _RetryableError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class Courier:
    """Posts gzipped batches to `base_url` + /api/ci/logs with the bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        http: httpx.Client,
        *,
        deadline_s: float = 120.0,
        max_wait_s: float = 30.0,
    ) -> None:
        self.url = base_url.rstrip("/") + LOGS_PATH
        self.token = token
        self.http = http
        self.deadline_s = deadline_s
        self.max_wait_s = max_wait_s
        self.attempts = 0

    def should_retry(self, exc: Exception) -> bool | float:
        """Transport errors, 429 and 5xx; a Retry-After sets the wait (capped)."""
        if isinstance(exc, httpx.TransportError):
            return True
        if isinstance(exc, _RetryableError):
            after = exc.response.headers.get("Retry-After", "")
            return min(float(after), self.max_wait_s) if after.isdigit() else True
        return False

    def send(self, key: str, body: bytes) -> Analysis:
        """The Developer-Agent's analysis, or UndeliverableError / RefusedError."""
        started = time.monotonic()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Idempotency-Key": key,
        }
        try:
            for attempt in stamina.retry_context(
                on=self.should_retry,
                attempts=None,
                timeout=self.deadline_s,
                wait_initial=0.5,
                wait_max=self.max_wait_s,
                wait_jitter=1.0,
            ):
                with attempt:
                    self.attempts += 1
                    left = max(0.5, self.deadline_s - (time.monotonic() - started))
                    response = self.http.post(
                        self.url,
                        content=body,
                        headers=headers,
                        timeout=httpx.Timeout(min(60.0, left), connect=5.0),
                    )
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _RetryableError(response)
        except httpx.TransportError as exc:
            raise UndeliverableError(f"{self.url} unreachable: {type(exc).__name__}") from exc
        except _RetryableError as exc:
            raise UndeliverableError(
                f"{self.url} kept answering {exc.response.status_code} "
                f"({_code(exc.response)}) for {self.deadline_s:.0f}s"
            ) from exc
        if response.status_code != 200:
            raise RefusedError(
                f"{self.url} refused the batch: {response.status_code} "
                f"{_code(response)}: {_message(response)}"
            )
        return Received.model_validate_json(response.content).upstream


def _code(response: httpx.Response) -> str:
    try:
        return ErrorResponse.model_validate_json(response.content).error.error_code
    except ValueError:
        return "no error body"


def _message(response: httpx.Response) -> str:
    try:
        return ErrorResponse.model_validate_json(response.content).error.message
    except ValueError:
        return response.text[:200]
