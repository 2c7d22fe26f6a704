"""Shared fixtures: the built-in rules and a classifier over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_engine.classify import Classifier
from agent_engine.rules import Rule, load_rules

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def rules() -> list[Rule]:
    return load_rules()


@pytest.fixture(scope="session")
def classifier(rules: list[Rule]) -> Classifier:
    return Classifier(rules)
