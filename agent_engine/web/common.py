"""What both services share: request ids, access logs, the error shape, tokens, body limits."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
import uuid
import zlib
from typing import TypeVar

from pydantic import BaseModel, SecretStr, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent_engine.contracts import ErrorDetail, ErrorResponse
from agent_engine.errors import (
    AgentEngineError,
    ClientGoneError,
    DeployingError,
    HeadersTooLargeError,
    MethodNotAllowedError,
    NotConfiguredError,
    NotFoundError,
    PayloadError,
    PayloadTooLargeError,
    RequestTimeoutError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from agent_engine.settings import ServiceSettings

M = TypeVar("M", bound=BaseModel)
access_log = logging.getLogger("agent_engine.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
MAX_DETAILS = 20


class RequestContext:
    """Pure ASGI middleware: an X-Request-ID on every answer and one structured access log
    line per request (method, path, status, duration; never headers or bodies)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started, status = time.perf_counter(), 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                json.dumps(
                    {
                        "service": self.service,
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def error_response(exc: AgentEngineError, rid: str) -> JSONResponse:
    headers = {"X-Request-ID": rid}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    body = ErrorResponse(error=exc.body(rid))
    return JSONResponse(body.model_dump(mode="json"), status_code=exc.status, headers=headers)


async def on_known_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AgentEngineError)
    return error_response(exc, request_id(request))


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Routing's 404 and 405, in the error shape."""
    assert isinstance(exc, HTTPException)
    error: AgentEngineError = (
        MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}")
        if exc.status_code == 405
        else NotFoundError(f"no route for {request.method} {request.url.path}")
    )
    return error_response(error, request_id(request))


class HeaderGuard:
    """Pure ASGI middleware: a request with too many headers, or too many header bytes, is
    refused with 431 before any route reads it."""

    def __init__(self, app: ASGIApp, max_count: int = 100, max_bytes: int = 32 * 1024) -> None:
        self.app = app
        self.max_count, self.max_bytes = max_count, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            size = sum(len(k) + len(v) for k, v in headers)
            if len(headers) > self.max_count or size > self.max_bytes:
                error = HeadersTooLargeError(
                    f"{len(headers)} headers, {size} bytes: over {self.max_count} headers "
                    f"or {self.max_bytes} bytes"
                )
                rid = scope.get("state", {}).get("request_id", "")
                await error_response(error, rid)(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    logging.getLogger("agent_engine").exception("unexpected error (%s)", request_id(request))
    return error_response(AgentEngineError(f"unexpected {type(exc).__name__}"), request_id(request))


EXCEPTION_HANDLERS = {
    AgentEngineError: on_known_error,
    HTTPException: on_http_error,
    Exception: on_unexpected_error,
}


def check_open(settings: ServiceSettings) -> None:
    """While the operator drains the service, every request but health is refused."""
    if settings.draining():
        raise DeployingError("the service is draining for a deploy")


def check_token(request: Request, expected: SecretStr | None, name: str) -> None:
    """Bearer token, compared in constant time; an unset secret never means open."""
    if expected is None:
        raise NotConfiguredError(f"{name} is not set on this service")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.get_secret_value().encode()
    ):
        raise UnauthorizedError("missing or wrong bearer token")


async def read_body(request: Request, settings: ServiceSettings) -> bytes:
    """The JSON body, gunzipped; both limits enforced while reading, not after."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaTypeError(f"Content-Type {media or '(none)'} is not application/json")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise UnsupportedMediaTypeError(f"Content-Encoding {encoding} is not supported")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise PayloadTooLargeError(f"the body is over {settings.max_body_bytes} bytes")
    gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    received, out = 0, bytearray()
    try:
        # a body that trickles in is cut off: it would hold a connection for nothing
        async with asyncio.timeout(settings.body_timeout_s):
            async for chunk in request.stream():
                received += len(chunk)
                if received > settings.max_body_bytes:
                    raise PayloadTooLargeError(f"the body is over {settings.max_body_bytes} bytes")
                out += _inflate(gunzip, chunk, settings.max_decompressed_bytes - len(out))
    except TimeoutError as exc:
        raise RequestTimeoutError(
            f"the body did not arrive within {settings.body_timeout_s:g}s"
        ) from exc
    except ClientDisconnect as exc:
        raise ClientGoneError("the client went away before sending the whole body") from exc
    if gunzip is not None and not gunzip.eof:
        raise PayloadError("the gzip body is truncated")
    if gunzip is not None and gunzip.unused_data:
        raise PayloadError("the gzip body has data after its end")
    return bytes(out)


def _inflate(gunzip: zlib._Decompress | None, chunk: bytes, room: int) -> bytes:
    if gunzip is None:
        return chunk
    try:
        data = gunzip.decompress(chunk, room + 1)
    except zlib.error as exc:
        raise PayloadError(f"the body is not valid gzip: {exc}") from exc
    if len(data) > room or gunzip.unconsumed_tail:
        raise PayloadTooLargeError("the decompressed body is over the limit")
    return data


def parse(raw: bytes, model: type[M]) -> M:
    """Strict validation; every problem named by its field path."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        details = [
            ErrorDetail(loc=[p for p in e["loc"] if isinstance(p, str | int)], msg=e["msg"])
            for e in exc.errors()[:MAX_DETAILS]
        ]
        first = details[0]
        where = ".".join(str(p) for p in first.loc) or "body"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise PayloadError(f"{where}: {first.msg}{more}", details=details) from exc


_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def idempotency_key(request: Request) -> str | None:
    """The Idempotency-Key header, if sent: 1 to 200 printable ASCII characters."""
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise PayloadError("Idempotency-Key must be 1 to 200 printable ASCII characters")
    return key
