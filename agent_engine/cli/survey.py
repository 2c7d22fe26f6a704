"""What a repository shows about its E2E suite, read without running anything: where the
Playwright tests and page objects are, the pytest configuration, the web framework and how to
start it, the URL the tests point at, git-ignored runtime folders. `agent-engine init` turns
it into a commented agent-engine.toml."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agent_engine.fix.imports import by_suffix, imported
from agent_engine.fix.worktree import git

_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")
# A URL the suite opens or sets as its base: `page.goto("https://…")`, `BASE_URL = "https://…"`
# (not 127.0.0.1 or localhost: a deployed site, not the app started for the run).
_OPENED = re.compile(
    r"""(?:goto\(\s*|url\w*\s*[=:]\s*|URL\w*\s*[=:]\s*)["'](https?://"""
    r"""(?!127\.0\.0\.1|localhost|0\.0\.0\.0)[^"'\s]+)["']"""
)
_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost|0\.0\.0\.0):(\d{2,5})")
_CONFIGS = (
    ("pytest.ini", "[pytest]"),
    (".pytest.ini", "[pytest]"),
    ("pyproject.toml", "[tool.pytest.ini_options]"),
    ("tox.ini", "[pytest]"),
    ("setup.cfg", "[tool:pytest]"),
)
# Folders a git-ignore hides that a suite never needs in a copy of the checkout.
CACHES = re.compile(
    r"(^|/)(__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.venv|venv|env|node_modules"
    r"|\.tox|\.nox|build|dist|out|test-results|htmlcov|\.idea|\.vscode|[^/]*\.egg-info)(/|$)"
)


@dataclass(slots=True)
class App:
    """How to start the web app, as far as the code tells."""

    framework: str
    start: list[str]
    migrate: list[str] | None = None
    where: str = ""
    env: dict[str, str] = field(default_factory=dict)  # what its tests need too


@dataclass(slots=True)
class Survey:
    root: Path
    project: str = ""  # the folder holding the pytest configuration ('' = the repository)
    pytest_config: str = ""
    test_dirs: list[str] = field(default_factory=list)
    playwright_tests: list[str] = field(default_factory=list)
    uses_fixtures: bool = False  # pytest-playwright's `page`, `context`, `browser` fixtures
    launches_browser: bool = False  # tests that start Playwright themselves
    page_objects: list[str] = field(default_factory=list)
    app: App | None = None
    starts_own_app: bool = False  # a `live_server`-style fixture starts the app in the suite
    port: int = 8000
    runtime_dirs: list[str] = field(default_factory=list)
    remote_urls: list[str] = field(default_factory=list)  # deployed sites the suite opens


def survey(root: Path) -> Survey:
    """Read the repository at `root` (a git checkout)."""
    found = Survey(root=root)
    files = [f for f in git(["ls-files", "-z"], root).split("\0") if f]
    sources = {f: _read(root / f) for f in files if f.endswith(".py")}
    browsing = {  # folders whose conftest drives a browser: every test below is an E2E test
        str(PurePosixPath(f).parent)
        for f, t in sources.items()
        if PurePosixPath(f).name == "conftest.py" and _is_e2e(t)
    }
    tests = {f: t for f, t in sources.items() if _is_test(f, t)}
    modules = by_suffix(sources)
    imports = {f: imported(f, t, modules) for f, t in tests.items()}
    found.playwright_tests = sorted(
        f
        for f, text in tests.items()
        if (
            _is_e2e(text)
            or any(_inside(f, d) for d in browsing)
            # a test class whose base (a module it imports) starts the browser
            or any(_starts_browser(sources[m]) for m in imports[f])
        )
    )
    found.test_dirs = _outermost({str(PurePosixPath(f).parent) for f in found.playwright_tests})
    suite = {f: t for f, t in sources.items() if any(_inside(f, d) for d in found.test_dirs)}
    found.uses_fixtures = any(_uses_fixtures(t) for f, t in suite.items() if f in tests)
    found.launches_browser = any(
        "sync_playwright" in t or "async_playwright" in t for t in suite.values()
    )
    # page objects: beside the tests, or imported by them from a test-support folder (never
    # the app's own modules, which the fix agent must not be allowed to edit)
    used = set(suite) | {
        m for f in found.playwright_tests for m in imports[f] if _SUPPORT.search(m)
    }
    found.page_objects = sorted(
        f
        for f in used
        if f not in tests
        and PurePosixPath(f).name != "conftest.py"
        and _builds_locators(sources[f])
    )
    found.starts_own_app = any("live_server" in t for t in suite.values())
    found.pytest_config, found.project = _pytest_config(root, files, found.test_dirs)
    found.app = _app(sources, found.project)
    found.port = _port(suite.values())
    found.remote_urls = sorted({u for t in suite.values() for u in _OPENED.findall(t)} - {""})
    found.runtime_dirs = _runtime_dirs(root, found.project, files, sources)
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _imports_playwright(text: str) -> bool:
    return re.search(r"^\s*(from|import)\s+playwright\b", text, re.MULTILINE) is not None


def _is_e2e(text: str) -> bool:
    """Imports Playwright, or takes pytest-playwright's `page` fixture."""
    return _imports_playwright(text) or bool(re.search(r"def test_\w*\([^)]*\bpage\b", text))


def _is_test(path: str, text: str) -> bool:
    """Named as pytest collects tests, and holding some (a page object may be `*_test.py`)."""
    return bool(_TEST_FILE.search(path)) and bool(
        re.search(r"^[ \t]*(?:async[ \t]+)?def test|^class Test", text, re.MULTILINE)
    )


_SUPPORT = re.compile(
    r"(^|/)(tests?|e2e|qa|ui[_-]?tests?|pages?|page[_-]?objects?|pom|screens|specs?|browser"
    r"|integration|acceptance|functional)/",
    re.IGNORECASE,
)


def _starts_browser(text: str) -> bool:
    """Starts Playwright, launches or connects a browser, or (a base class) takes
    pytest-playwright's browser fixtures: importing Playwright's types is not enough."""
    return bool(
        re.search(
            r"\b(?:sync|async)_playwright\(|\.launch(?:_persistent_context)?\(|\.connect_over_cdp\(",
            text,
        )
        or (
            _imports_playwright(text)
            and re.search(r"def \w+\([^)]*\b(page|context|browser|playwright)\b", text)
        )
    )


def _uses_fixtures(text: str) -> bool:
    return bool(re.search(r"def test_\w*\([^)]*\b(page|context|browser)\b", text))


def _builds_locators(text: str) -> bool:
    return bool(re.search(r"\.(get_by_\w+|locator)\(", text))


def _inside(path: str, folder: str) -> bool:
    return folder in ("", ".") or path.startswith(folder.rstrip("/") + "/")


def _outermost(folders: set[str]) -> list[str]:
    return sorted(f for f in folders if not any(o != f and _inside(f, o) for o in folders))


def _pytest_config(root: Path, files: list[str], test_dirs: list[str]) -> tuple[str, str]:
    """The nearest pytest configuration above the tests, and its folder."""
    start = PurePosixPath(test_dirs[0]) if test_dirs else PurePosixPath(".")
    for folder in [start, *start.parents]:
        for name, section in _CONFIGS:
            path = str(folder / name) if str(folder) != "." else name
            if path in files and section in _read(root / path):
                return path, "" if str(folder) == "." else str(folder)
    return "", ""


def _app(sources: dict[str, str], project: str) -> App | None:
    """Django's manage.py, or the module that makes a FastAPI, Starlette or Flask app."""
    here = [f for f in sources if _inside(f, project)]
    for path in sorted(here, key=lambda p: (p.count("/"), p)):
        if PurePosixPath(path).name == "manage.py" and "DJANGO_SETTINGS_MODULE" in sources[path]:
            named = re.search(r"DJANGO_SETTINGS_MODULE['\"],\s*['\"]([\w.]+)", sources[path])
            return App(
                "Django",
                ["{python}", path, "runserver", "127.0.0.1:{port}", "--noreload"],
                ["{python}", path, "migrate", "--noinput"],
                path,
                {"DJANGO_SETTINGS_MODULE": named[1]} if named else {},
            )
    for kind, call in (("FastAPI", "FastAPI"), ("Starlette", "Starlette"), ("Flask", "Flask")):
        for path in sorted(here, key=lambda p: (p.count("/"), p)):
            name = _app_variable(sources[path], call)
            if name is None or _TEST_FILE.search(path):
                continue
            relative = str(PurePosixPath(path).relative_to(project)) if project else path
            module = relative.removesuffix(".py").replace("/", ".")
            if kind == "Flask":
                start = ["{python}", "-m", "flask", "--app", f"{module}:{name}", "run"]
                start += ["--host", "127.0.0.1", "--port", "{port}"]
            else:
                start = ["{python}", "-m", "uvicorn", f"{module}:{name}", "--host", "127.0.0.1"]
                start += ["--port", "{port}", *(["--app-dir", project] if project else [])]
            return App(kind, start, None, path)
    return None


def _app_variable(text: str, call: str) -> str | None:
    if f"{call}(" not in text:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            target = node.targets[0]
            if called == call and isinstance(target, ast.Name):
                return target.id
    return None


def _port(texts: object) -> int:
    ports = Counter(int(p) for text in texts for p in _URL.findall(str(text)))  # type: ignore[attr-defined]
    return ports.most_common(1)[0][0] if ports else 8000


def _runtime_dirs(root: Path, project: str, files: list[str], sources: dict[str, str]) -> list[str]:
    """Git-ignored folders a suite may need at run time (a SQLite folder, uploads): present in
    the checkout or named plainly in a .gitignore (`workdir/`), and named in the code too (a
    .gitignore template lists many folders no one uses); caches and build output left out."""
    listed = git(
        ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], root
    )
    found = {p.rstrip("/") for p in listed.split("\0") if p.endswith("/")}
    for ignore in (f for f in files if PurePosixPath(f).name == ".gitignore"):
        base = PurePosixPath(ignore).parent
        for line in _read(root / ignore).splitlines():
            name = line.strip()
            if name.endswith("/") and not re.search(r"[*?\[!#]", name):
                found.add(str(base / name.strip("/")) if str(base) != "." else name.strip("/"))
    code = "\n".join(sources.values())
    return sorted(
        p
        for p in found
        if not CACHES.search(p) and _inside(p, project) and _named_in(PurePosixPath(p).name, code)
    )


def _named_in(folder: str, code: str) -> bool:
    """`"workdir"`, `'workdir/db.sqlite'`, `BASE_DIR / "media"`: the folder in a string."""
    return re.search(r"[\"'/]" + re.escape(folder) + r"[\"'/]", code) is not None
