"""The labelled corpus of real CI log excerpts in tests/fixtures/corpus."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from agent_engine.triage.classify import LogSource

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
CORPUS = FIXTURES / "corpus"
# Collected after the rules were tuned on CORPUS, from other projects: an honest check.
HOLDOUT = FIXTURES / "holdout"


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled excerpt: its logs, JUnit reports and where it came from."""

    path: Path
    label: str
    stack: str
    source: str
    note: str
    hard: bool

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    def logs(self) -> list[LogSource]:
        return [LogSource.from_path(p) for p in sorted(self.path.glob("*.log"))]

    def junit(self) -> list[LogSource]:
        return [LogSource.from_path(p) for p in sorted(self.path.glob("*.xml"))]


def load_cases(root: Path = CORPUS) -> list[Case]:
    """Every case under `root`, sorted by label then name."""
    cases = []
    for meta in sorted(root.glob("*/*/case.toml")):
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
        cases.append(
            Case(
                meta.parent,
                data["label"],
                data["stack"],
                data["source"],
                data["note"],
                bool(data.get("hard", False)),
            )
        )
    return cases
