"""Which of a repository's Python modules a file imports: relative imports from its package,
absolute ones by the module's path wherever its package root is. Read, never run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w \t,.*]+))"
    r"|import[ \t]+([\w., \t]+))",
    re.MULTILINE,
)


def by_suffix(paths: Iterable[str]) -> dict[str, set[str]]:
    """Every trailing part of every module's path (`c.py`, `b/c.py`, `a/b/c.py`) -> the paths
    that end so: how an absolute import is found wherever its package root is."""
    found: dict[str, set[str]] = {}
    for path in paths:
        parts = path.split("/")
        for start in range(len(parts)):
            found.setdefault("/".join(parts[start:]), set()).add(path)
    return found


def imported(path: str, text: str, modules: dict[str, set[str]]) -> set[str]:
    """The repository's modules a file imports (one level): relative imports from its package,
    absolute ones by the module's path at the root or under any folder (a `src/` layout)."""
    found: set[str] = set()
    for dots, module, grouped, listed, plain in _IMPORT.findall(text):
        for head in _heads(path, dots, module, grouped or listed, plain):
            for candidate in (f"{head}.py", f"{head}/__init__.py"):
                if dots:
                    found.update({candidate} & modules.get(candidate, set()))
                else:
                    found.update(modules.get(candidate, ()))
    # importing a.b.c runs a/__init__.py and a/b/__init__.py too
    for module in list(found):
        for parent in PurePosixPath(module).parents:
            package = str(parent / "__init__.py") if str(parent) != "." else "__init__.py"
            if package in modules.get(package, ()):
                found.add(package)
    found.discard(path)
    return found


def _heads(path: str, dots: str, module: str, names: str, plain: str) -> list[str]:
    """The module paths (no `.py`) one import statement may load."""
    if plain:  # import a, b.c as d
        return [n.split()[0].replace(".", "/") for n in plain.split(",") if n.strip()]
    if dots:
        base = PurePosixPath(path).parent
        for _ in range(len(dots) - 1):
            base = base.parent
        stem = str(base / module.replace(".", "/")) if module else str(base)
        stem = stem.removeprefix("./")
    else:
        stem = module.replace(".", "/")
    stem = "" if stem == "." else stem
    named = [n.split()[0] for n in names.split(",") if n.strip() and n.strip() != "*"]
    return [stem] + [f"{stem}/{n}".lstrip("/") for n in named]  # `x as y`: x
