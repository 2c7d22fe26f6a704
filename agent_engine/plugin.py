"""The pytest plugin (entry point `agent_engine`; off with `-p no:agent_engine`): for every
failed test that used Playwright, each open page's DOM and URL are saved and named in the
JUnit XML (`dom_snapshot`, `page_url`), whether the page came from pytest-playwright's
fixtures or from a browser the test launched itself; the failing `file:line` in the test code
is named too (`failure_location`), whatever `--tb` says; and every Chromium launch honours
CHROMIUM_EXECUTABLE.

With `--agent-engine-baseline` (or AGENT_ENGINE_BASELINE=1), a PASSING test keeps the page as
it was before each locator action (click, fill, check...) and `expect(locator)`, each distinct
page once, named in
the JUnit XML (`dom_baseline`, `dom_baseline_2`...): the last passing run's pages, which tell
the fix agent exactly which element a locator that later breaks meant (`agent-engine fix
prepare-input --baseline <that run's junit.xml>`). It costs one `page.content()` per action."""

from __future__ import annotations

import os
import re
import sys
import weakref
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

import pytest

SNAPSHOTS = "agent-engine-dom"
BASELINE_OPTION = "--agent-engine-baseline"
MAX_BASELINE_PAGES = 20  # distinct pages kept per passing test
# Locator methods that act on an element: the page before each is what the locator named.
_ACTIONS = (
    "click",
    "dblclick",
    "fill",
    "type",
    "press",
    "press_sequentially",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "hover",
    "tap",
    "set_input_files",
    "clear",
    "focus",
)
_LIBRARIES = re.compile(r"[\\/](site-packages|dist-packages|lib[\\/]python3\.\d+)[\\/]")


class _Tracker:
    """The browsers and contexts launched while tests run, and pages saved as they closed
    during a failing test (a test that closes its own browser in `finally`)."""

    def __init__(self) -> None:
        self.open: weakref.WeakSet[Any] = weakref.WeakSet()
        self.saved: list[tuple[str, str]] = []
        self.before_actions: dict[str, tuple[str, str]] = {}  # the pages before actions
        self.patched: list[tuple[type, str, Callable[..., Any]]] = []

    def install(self, baseline: bool = False) -> None:
        try:
            from playwright.sync_api import (  # noqa: PLC0415
                Browser,
                BrowserContext,
                BrowserType,
                Expect,
                Locator,
            )
        except ImportError:  # Playwright not installed: nothing to do
            return
        self._wrap(BrowserType, "launch", self._launched)
        self._wrap(BrowserType, "launch_persistent_context", self._launched)
        self._wrap(Browser, "close", self._closing)
        self._wrap(BrowserContext, "close", self._closing)
        if baseline:
            for name in _ACTIONS:
                if hasattr(Locator, name):
                    self._wrap(Locator, name, self._acting)
            self._wrap(Expect, "__call__", self._expecting)

    def uninstall(self) -> None:
        for owner, name, original in reversed(self.patched):
            setattr(owner, name, original)
        self.patched.clear()

    def _wrap(self, owner: type, name: str, around: Callable[..., Any]) -> None:
        original = getattr(owner, name)

        def wrapper(target: Any, *args: Any, **kwargs: Any) -> Any:
            return around(original, target, *args, **kwargs)

        wrapper.__doc__ = original.__doc__
        setattr(owner, name, wrapper)
        self.patched.append((owner, name, original))

    def _launched(
        self, original: Callable[..., Any], browser_type: Any, *args: Any, **kw: Any
    ) -> Any:
        chromium = os.environ.get("CHROMIUM_EXECUTABLE")
        chosen = kw.get("executable_path") or kw.get("channel")
        if chromium and browser_type.name == "chromium" and not chosen:
            kw["executable_path"] = chromium
        launched = original(browser_type, *args, **kw)
        self.open.add(launched)
        return launched

    def _acting(self, original: Callable[..., Any], locator: Any, *args: Any, **kw: Any) -> Any:
        """Keep the page as it is before the action."""
        self._remember(locator)
        return original(locator, *args, **kw)

    def _expecting(self, original: Callable[..., Any], expect: Any, *args: Any, **kw: Any) -> Any:
        """`expect(locator)`: the page before the assertion, like before an action."""
        actual = args[0] if args else kw.get("actual")
        if type(actual).__name__ == "Locator":
            self._remember(actual)
        return original(expect, *args, **kw)

    def _remember(self, locator: Any) -> None:
        """The locator's page as it is now, each distinct page once (a page that cannot be
        read is left to the action itself to report)."""
        if len(self.before_actions) < MAX_BASELINE_PAGES:
            for url, html in _contents([locator.page]):
                self.before_actions.setdefault(html, (url, html))

    def _closing(self, original: Callable[..., Any], owner: Any, *args: Any, **kw: Any) -> Any:
        if sys.exc_info()[0] is not None:  # closed while an exception is on its way out
            self.saved += _contents(_pages_of(owner))
        return original(owner, *args, **kw)

    def pages(self, funcargs: Iterable[Any]) -> list[Any]:
        found: list[Any] = []
        for value in [*funcargs, *list(self.open)]:
            for page in _pages_of(value):
                if all(page is not p for p in found):
                    found.append(page)
        return found


def _pages_of(value: Any) -> list[Any]:
    """The open pages a Playwright object holds: a page, a context's pages, a browser's."""
    kind = type(value).__name__
    try:
        if kind == "Page":
            return [] if value.is_closed() else [value]
        if kind == "BrowserContext":
            return [p for p in value.pages if not p.is_closed()]
        if kind == "Browser":
            return [p for c in value.contexts for p in c.pages if not p.is_closed()]
    except Exception:
        return []
    return []


def _contents(pages: Iterable[Any]) -> list[tuple[str, str]]:
    saved = []
    for page in pages:
        try:
            saved.append((page.url, page.content()))
        except Exception:  # noqa: S112 - a page that died with the test
            continue
    return saved


_TRACKER = _Tracker()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("agent_engine").addoption(
        BASELINE_OPTION,
        action="store_true",
        default=False,
        help="keep, for each passing test, the page before each locator action and name it "
        "in the JUnit XML (dom_baseline): the pages the fix agent heals a later drift from "
        "(also on with AGENT_ENGINE_BASELINE=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    wanted = config.getoption(BASELINE_OPTION, default=False)
    _TRACKER.install(baseline=bool(wanted) or os.environ.get("AGENT_ENGINE_BASELINE") == "1")
    config.add_cleanup(_TRACKER.uninstall)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call() -> Generator[None, None, None]:
    _TRACKER.saved.clear()
    _TRACKER.before_actions.clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.passed and _TRACKER.before_actions:
        _keep(item, "baseline", "dom_baseline", list(_TRACKER.before_actions.values()))
    if report.when != "call" or not report.failed:
        return
    location = failure_location(item, call)
    if location:
        item.user_properties.append(("failure_location", location))
    funcargs = getattr(item, "funcargs", {}).values()
    saved = _contents(_TRACKER.pages(funcargs)) + _TRACKER.saved
    _keep(item, "dom", "dom_snapshot", saved)
    for index, (url, _) in enumerate(saved):
        item.user_properties.append((f"page_url{'' if index == 0 else f'_{index + 1}'}", url))


def _keep(item: pytest.Item, stem: str, name: str, pages: list[tuple[str, str]]) -> None:
    """Write the pages beside the test's other results and name them in the JUnit XML
    (`name`, `name_2`...)."""
    folder = _folder(item)
    for index, (_, html) in enumerate(pages):
        path = folder / f"{stem}-{index + 1}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        suffix = "" if index == 0 else f"_{index + 1}"
        item.user_properties.append((f"{name}{suffix}", _shown(item.config, path)))


def failure_location(item: pytest.Item, call: pytest.CallInfo[None]) -> str:
    """`path:line` of the deepest frame of the failure that is the project's own code (the
    test, a page object), not Playwright's or pytest's."""
    if call.excinfo is None:
        return ""
    own = [
        entry
        for entry in call.excinfo.traceback
        if not _LIBRARIES.search(str(entry.path)) and Path(str(entry.path)).is_file()
    ]
    if not own:
        return ""
    entry = own[-1]
    return f"{_shown(item.config, Path(str(entry.path)))}:{entry.lineno + 1}"


def _folder(item: pytest.Item) -> Path:
    funcargs = getattr(item, "funcargs", {})
    if isinstance(funcargs.get("output_path"), str):
        return Path(funcargs["output_path"])
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid).strip("-")[:200]
    return Path(str(item.config.rootpath)) / "test-results" / SNAPSHOTS / slug


def _shown(config: pytest.Config, path: Path) -> str:
    """Relative to where pytest started, when inside it (as pytest prints paths)."""
    start = Path(str(config.invocation_params.dir)).resolve()
    try:
        return str(path.resolve().relative_to(start))
    except ValueError:
        return str(path.resolve())
