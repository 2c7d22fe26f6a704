"""uvicorn's h11 protocol with a deadline for a request's line and headers.

uvicorn bounds the headers' size (`h11_max_incomplete_event_size`) and an idle keep-alive
connection (`timeout_keep_alive`), but a client that starts a request and sends its headers a
byte at a time holds the connection for as long as it likes. Here the first byte of a request
starts a clock; headers not complete when it runs out are answered `408` and the connection is
closed. (Bodies have their own deadline in the apps: `ServiceSettings.body_timeout_s`.)
"""

from __future__ import annotations

import asyncio
import json
import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s"
)
_BODY = (
    b'{"error":{"error_code":"request_timeout","message":"the request line and headers did not'
    b' arrive in time","blocker_type":"agent","next_step":"send the whole request at once",'
    b'"retryable":true,"details":[],"request_id":""}}'
)
log = logging.getLogger("agent_engine.access")


class HeaderDeadline(H11Protocol):
    """`H11Protocol` whose requests must finish their headers within `header_timeout_s`."""

    header_timeout_s = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is timed too

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self._arm()
        super().data_received(data)
        if not self._between_requests():
            self._disarm()  # the headers are in: the request is the app's now

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout_s, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or not self._between_requests():
            return
        client = self.client[0] if self.client else ""
        log.info(json.dumps({"event": "header_timeout", "client": client, "status": 408}))
        self.transport.write(_408 % (len(_BODY), _BODY))
        self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderDeadline]:
    """The protocol class for uvicorn's `http=` with this deadline."""
    return type("HeaderDeadline", (HeaderDeadline,), {"header_timeout_s": seconds})
