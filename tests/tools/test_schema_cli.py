"""python -m tools.schema: one JSON Schema per published document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_engine.cli.schema import PUBLISHED, main


def test_schemas_are_written_for_every_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"{name}.schema.json" for name in PUBLISHED)
    assert {"dashboard-data.schema.json", "fix-metadata.schema.json"} <= set(written)
    schema = json.loads((tmp_path / "log-batch.schema.json").read_text())
    assert schema["$id"] == "agent-engine/log-batch/v1"
    assert schema["properties"]["schema_version"]["const"] == "1"
    assert str(tmp_path) in capsys.readouterr().out
