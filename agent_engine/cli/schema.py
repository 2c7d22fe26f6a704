"""Export the JSON Schemas of the contract documents: agent-engine schema [--out DIR]."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from agent_engine.contracts import DOCUMENTS, SCHEMA_VERSION
from agent_engine.files import write_atomic
from agent_engine.fix.agent import FixInput
from agent_engine.fix.report import FixMetadata
from agent_engine.report.history import DashboardData

# The contracts between processes, and the artifacts others may build on.
PUBLISHED: dict[str, type[BaseModel]] = DOCUMENTS | {
    "fix-input": FixInput,
    "fix-metadata": FixMetadata,
    "dashboard-data": DashboardData,
}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="agent-engine schema", description=__doc__)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("out/schemas"),
        help="folder for <document>.schema.json files (default: out/schemas)",
    )
    args = p.parse_args(argv)
    for name, model in PUBLISHED.items():
        schema = model.model_json_schema()
        schema["$id"] = f"agent-engine/{name}/v{SCHEMA_VERSION}"
        path = write_atomic(
            args.out / f"{name}.schema.json", json.dumps(schema, indent=2, sort_keys=True) + "\n"
        )
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
