"""The contract documents: strict, versioned, and safe for values used in paths and keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent_engine.contracts import (
    DOCUMENTS,
    Classification,
    ErrorResponse,
    LogBatch,
    RunInfo,
)
from agent_engine.taxonomy import TAXONOMY, BlockerType, ErrorType
from tests.builders import batch, log_file, run_info


def test_a_full_batch_validates_and_round_trips() -> None:
    model = LogBatch.model_validate(batch())
    assert model.run.pr_number == 7
    assert LogBatch.model_validate_json(model.model_dump_json()) == model


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (batch(extra_field=1), ("extra_field",)),
        (batch(run=run_info(colour="red")), ("run", "colour")),
        (batch(logs=[log_file(size=3)]), ("logs", 0, "size")),
    ],
)
def test_unknown_fields_are_rejected_and_named(
    body: dict[str, object], loc: tuple[object, ...]
) -> None:
    with pytest.raises(ValidationError) as info:
        LogBatch.model_validate(body)
    assert [e["loc"] for e in info.value.errors()] == [loc]
    assert info.value.errors()[0]["type"] == "extra_forbidden"


def test_a_missing_field_is_named() -> None:
    with pytest.raises(ValidationError) as info:
        LogBatch.model_validate(batch(logs=[{"name": "a.log"}]))
    assert info.value.errors()[0]["loc"] == ("logs", 0, "content")


def test_another_schema_version_is_rejected() -> None:
    with pytest.raises(ValidationError, match="schema_version"):
        LogBatch.model_validate(batch(schema_version="2"))


@pytest.mark.parametrize(
    "run_id", ["..", "../etc", "a/b", "a\\b", "", "x" * 101, "a..b", ".hidden", "a b"]
)
def test_run_ids_that_could_escape_a_path_are_rejected(run_id: str) -> None:
    with pytest.raises(ValidationError):
        RunInfo.model_validate(run_info(run_id=run_id))


@pytest.mark.parametrize("name", ["/etc/passwd", "../x.log", "a/../../b.log", "", "x" * 201])
def test_log_names_stay_relative(name: str) -> None:
    with pytest.raises(ValidationError):
        LogBatch.model_validate(batch(logs=[log_file(name=name)]))


@pytest.mark.parametrize("repository", ["acme", "acme/shop/x", "../shop", "acme/.."])
def test_repository_must_be_owner_slash_name(repository: str) -> None:
    with pytest.raises(ValidationError):
        RunInfo.model_validate(run_info(repository=repository))


def test_every_error_type_has_a_taxonomy_entry() -> None:
    assert set(TAXONOMY) == set(ErrorType)
    assert TAXONOMY[ErrorType.NETWORK_FLAKE].blocker is BlockerType.TRANSIENT


def test_classification_signature_has_a_fixed_shape() -> None:
    with pytest.raises(ValidationError, match="signature"):
        Classification(
            error_type=ErrorType.UNKNOWN,
            blocker_type=BlockerType.CODE,
            confidence=0.3,
            summary="x",
            signature="not a signature",
            next_step="x",
            escalate_after_attempts=0,
        )


def test_every_published_document_has_a_json_schema() -> None:
    for name, model in DOCUMENTS.items():
        schema = model.model_json_schema()
        assert schema["additionalProperties"] is False, name
        assert "schema_version" in schema["properties"] or name == "error"


def test_the_error_shape_matches_the_contract() -> None:
    body = ErrorResponse.model_validate(
        {
            "error": {
                "error_code": "invalid_payload",
                "message": "logs[2].content: field required",
                "blocker_type": "agent",
                "next_step": "fix the payload",
                "retryable": False,
                "details": [{"loc": ["logs", 2, "content"], "msg": "field required"}],
                "request_id": "r-1",
            }
        }
    )
    assert body.error.details[0].loc == ["logs", 2, "content"]
