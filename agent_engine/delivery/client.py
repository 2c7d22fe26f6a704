"""The Cloud-Agent's HTTP client to the Developer-Agent: a deadline, and declared retries of
connection errors and 502/503/504 (honouring Retry-After) through stamina."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
import stamina

from agent_engine.contracts import ErrorDetail, ErrorResponse
from agent_engine.errors import (
    AgentEngineError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)

RETRY_STATUSES = frozenset({502, 503, 504})
MAX_RETRY_AFTER_S = 10.0


class RetryableStatusError(Exception):
    """An upstream answer worth another try (502/503/504)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"upstream answered {response.status_code}")
        self.response = response


def should_retry(exc: Exception) -> bool | float:
    """Transport errors and 502/503/504 are retried; a Retry-After (capped) sets the wait."""
    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, RetryableStatusError):
        after = exc.response.headers.get("Retry-After", "")
        return min(float(after), MAX_RETRY_AFTER_S) if after.isdigit() else True
    return False


class Upstream:
    """The Developer-Agent, seen from the Cloud-Agent."""

    def __init__(
        self,
        base_url: str,
        token: str,
        http: httpx.AsyncClient,
        *,
        deadline_s: float,
        attempts: int,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = http
        self.deadline_s = deadline_s
        self.attempts = attempts

    async def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries within the deadline; failures become the contract's errors."""
        sent = {**(headers or {}), "Authorization": f"Bearer {self.token}"}
        try:
            async with asyncio.timeout(self.deadline_s):
                return await self._send(method, f"{self.base_url}{path}", content, sent)
        except TimeoutError as exc:
            raise UpstreamTimeoutError(
                f"the Developer-Agent did not answer within {self.deadline_s:.0f}s"
            ) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeoutError(f"the Developer-Agent timed out: {exc}") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailableError(
                f"the Developer-Agent cannot be reached: {type(exc).__name__}"
            ) from exc
        except RetryableStatusError as exc:
            raise upstream_error(exc.response) from exc

    async def _send(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str]
    ) -> httpx.Response:
        async for attempt in stamina.retry_context(
            on=should_retry,
            attempts=self.attempts,
            timeout=self.deadline_s,
            wait_initial=0.2,
            wait_max=2.0,
        ):
            with attempt:
                response = await self.http.request(method, url, content=content, headers=headers)
                if response.status_code in RETRY_STATUSES:
                    raise RetryableStatusError(response)
        return response


class UpstreamRefusedError(AgentEngineError):
    """The Developer-Agent refused the request (4xx): its code, status and advice, passed on."""


def upstream_error(response: httpx.Response) -> AgentEngineError:
    """The Developer-Agent's error as the Cloud-Agent's own, its code kept in `details`."""
    try:
        body = ErrorResponse.model_validate_json(response.content).error
    except ValueError:
        body = None
    code = body.error_code if body else f"http_{response.status_code}"
    message = body.message if body else response.text[:200]
    details = [ErrorDetail(loc=["upstream", code], msg=message), *(body.details if body else [])]
    if response.status_code in RETRY_STATUSES or response.status_code >= 500:
        error: AgentEngineError = UpstreamUnavailableError(
            f"the Developer-Agent answered {response.status_code} ({code}): {message}",
            details=details,
        )
        error.status = 503 if response.status_code == 503 else 502
        return error
    error = UpstreamRefusedError(message, details=details)
    error.code, error.status = code, response.status_code
    if body is not None:
        error.blocker, error.next_step, error.retryable = (
            body.blocker_type,
            body.next_step,
            body.retryable,
        )
    after = response.headers.get("Retry-After", "")
    error.retry_after = int(after) if after.isdigit() else error.retry_after
    return error
