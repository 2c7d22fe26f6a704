"""OpenAPI 3.1 documents of both services, built from the contract models' JSON Schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from agent_engine import __version__
from agent_engine.contracts import Analysis, ErrorResponse, Health, LogBatch, Received, RunList

_REF = "#/components/schemas/{model}"
_ERRORS = {
    "400": "invalid_payload",
    "401": "unauthorized",
    "404": "not_found",
    "408": "request_timeout or client_disconnected (the body did not arrive)",
    "409": "idempotency_conflict",
    "413": "payload_too_large or redaction_refused (the body could not be redacted in time)",
    "415": "unsupported_media_type",
    "429": "rate_limited",
    "431": "headers_too_large",
    "502": "upstream_unavailable",
    "503": "deploying, store_unavailable, "
    "not_configured or upstream_unavailable (with Retry-After)",
    "504": "upstream_timeout",
}


def _components(models: list[type[BaseModel]]) -> dict[str, Any]:
    _, schema = models_json_schema([(m, "validation") for m in models], ref_template=_REF)
    return dict(schema.get("$defs", {}))


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}}
    }


def _answers(ok: type[BaseModel], codes: tuple[str, ...]) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": {"description": "OK", **_json(ok)}}
    for code in codes:
        answers[code] = {"description": _ERRORS[code], **_json(ErrorResponse)}
    return answers


_POST_CODES = ("400", "401", "408", "409", "413", "415", "431", "503")
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_KEY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "derived by the shipper from repository, run id, attempt and job",
}


def _document(title: str, paths: dict[str, Any], models: list[type[BaseModel]]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": __version__},
        "paths": paths,
        "components": {
            "schemas": _components([*models, ErrorResponse, Health]),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _health() -> dict[str, Any]:
    return {
        "get": {
            "summary": "health and deployment status",
            "responses": {
                "200": {"description": "stable", **_json(Health)},
                "503": {"description": "deploying or store down (Retry-After)", **_json(Health)},
            },
        }
    }


def developer_openapi() -> dict[str, Any]:
    paths = {
        "/process-logs": {
            "post": {
                "summary": "validate, redact, store and classify a log batch",
                "security": _AUTH,
                "parameters": [_KEY_HEADER],
                "requestBody": {"required": True, **_json(LogBatch)},
                "responses": _answers(Analysis, _POST_CODES),
            }
        },
        "/runs": {
            "get": {
                "summary": "stored runs, newest first",
                "security": _AUTH,
                "parameters": [
                    {"name": "repository", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                ],
                "responses": _answers(RunList, ("400", "401", "503")),
            }
        },
        "/runs/{run_key}": {
            "get": {
                "summary": "one stored analysis",
                "security": _AUTH,
                "parameters": [
                    {
                        "name": "run_key",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": _answers(Analysis, ("401", "404", "503")),
            }
        },
        "/health": _health(),
    }
    return _document("Agent Engine Developer-Agent", paths, [LogBatch, Analysis, RunList])


def cloud_openapi() -> dict[str, Any]:
    paths = {
        "/api/ci/logs": {
            "post": {
                "summary": "receive a log batch and forward it to the Developer-Agent",
                "security": _AUTH,
                "parameters": [_KEY_HEADER],
                "requestBody": {"required": True, **_json(LogBatch)},
                "responses": _answers(Received, (*_POST_CODES, "429", "502", "504")),
            }
        },
        "/api/ci/runs/{run_key}": {
            "get": {
                "summary": "the stored analysis of a run (proxied)",
                "security": _AUTH,
                "parameters": [
                    {
                        "name": "run_key",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": _answers(Analysis, ("401", "404", "502", "503", "504")),
            }
        },
        "/health": _health(),
        "/api/ci/health": _health(),
    }
    return _document("Agent Engine Cloud-Agent", paths, [LogBatch, Received, Analysis])
