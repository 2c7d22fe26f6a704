"""The package shows the flow: modules grouped by stage, and a stage imports the core and the
stages before it, never one after it (house-style.md)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agent_engine"
# The core first, then the stages in the order of the flow.
ORDER = ["", "triage", "delivery", "heal", "fix", "report", "web", "cli"]


def stage_of(module: str) -> str:
    """`agent_engine.fix.agent` -> `fix`; a core module -> ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ORDER else ""


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_bytes())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.startswith("agent_engine.")}


def name_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_a_stage_never_imports_a_later_one(path: Path) -> None:
    mine = ORDER.index(stage_of(name_of(path)))
    later = sorted(m for m in imported(path) if ORDER.index(stage_of(m)) > mine)
    assert not later, f"{name_of(path)} imports {later}"


def test_the_top_level_is_a_small_core_and_the_stages() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(ORDER[1:])
    core = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert len(core) <= 8, core


def test_the_distribution_lists_every_package() -> None:
    """setuptools is given the packages by name (the templates are mapped in from the top-level
    dashboard_templates/), so a new stage must be listed in pyproject.toml too."""
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {name_of(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")}
    assert listed == found | {"agent_engine.report.templates"}
    mapped = config["tool"]["setuptools"]["package-dir"]["agent_engine.report.templates"]
    assert (PACKAGE.parent / mapped / "index.html").is_file()
