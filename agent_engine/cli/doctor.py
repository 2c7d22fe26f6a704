"""Check agent-engine.toml against this machine and say what to fix:
agent-engine doctor [--config FILE] [--no-probe]

Checks that every command can start (its program or Python module is there), that a Chromium
is available, that the app answers at its health URL (started for the check when it is not
running), and, with a probe test that fails on purpose, that the suite writes its JUnit report,
that a DOM snapshot of the failure is named in it and that the failing line is known. It also
lists git-ignored folders the validation worktree would lack. Exit 1 when something is to fix."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from agent_engine.cli.boundary import guarded
from agent_engine.cli.survey import CACHES, survey
from agent_engine.fix.worktree import git
from agent_engine.heal import backend
from agent_engine.heal.process import Limits, run
from agent_engine.settings import AppSettings, E2ESettings, Settings, expand, load_settings
from agent_engine.triage.junit import read_cases

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
PROBE_PAGE = (
    "<main><h1>Agent Engine probe</h1><button id='agent-engine-probe'>Probe</button></main>"
)
PROBE_DOC = '"""Written by `agent-engine doctor`, removed after its run: it fails on purpose."""'
PROBE_WITH_FIXTURES = f"""{PROBE_DOC}


def test_agent_engine_probe(page):
    page.set_content({PROBE_PAGE!r})
    page.locator("#agent-engine-probe-missing").click(timeout=1000)
"""
PROBE_OWN_BROWSER = f"""{PROBE_DOC}
import os

from playwright.sync_api import sync_playwright


def test_agent_engine_probe():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_EXECUTABLE") or None
        )
        try:
            page = browser.new_page()
            page.set_content({PROBE_PAGE!r})
            page.locator("#agent-engine-probe-missing").click(timeout=1000)
        finally:
            browser.close()
"""


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    what: str
    fix: str = ""

    @classmethod
    def of(cls, ok: bool, what: str, fix: str) -> Check:
        """A check that says what to fix only when it failed."""
        return cls(ok, what, "" if ok else fix)

    def line(self) -> str:
        return f"  {'ok ' if self.ok else 'FIX'}  {self.what}" + (
            f"\n       -> {self.fix}" if self.fix else ""
        )


def commands(settings: Settings) -> Iterator[tuple[str, list[str]]]:
    app, e2e, heal = settings.app, settings.e2e, settings.self_heal.commands
    named = {
        "[app] start": app.start if app else None,
        "[app] migrate": app.migrate if app else None,
        "[app] seed": app.seed if app else None,
        "[e2e] run": e2e.run if e2e else None,
        "[e2e] run_subset": e2e.run_subset if e2e else None,
        "[e2e] auth": e2e.auth if e2e else None,
        "[e2e] smoke": e2e.smoke if e2e else None,
        "[fix_agent] validation_command": settings.fix_agent.validation_command,
        **{f"[self_heal.commands] {k}": v for k, v in heal.model_dump().items()},
    }
    yield from ((name, command) for name, command in named.items() if command)


def check_command(name: str, command: list[str]) -> Check:
    """The program is on PATH (or a file), or `{python} -m module` finds the module."""
    argv = expand(command, python=sys.executable, base_url="", tests=[], checkout=".", junit="")
    program = argv[0]
    if program == sys.executable and len(argv) > 2 and argv[1] == "-m":
        module = argv[2].split(".")[0]
        found = importlib.util.find_spec(module) is not None
        return Check.of(
            found,
            f"{name}: python -m {argv[2]}",
            f"pip install what provides `{module}` into this Python ({sys.executable})",
        )
    if program == sys.executable and len(argv) > 1 and argv[1].endswith(".py"):
        found = Path(argv[1]).is_file()
        return Check(
            found,
            f"{name}: python {argv[1]}",
            "" if found else f"{argv[1]} does not exist (paths are relative to the repository)",
        )
    found = shutil.which(program) is not None or Path(program).is_file()
    return Check(found, f"{name}: {program}", "" if found else f"`{program}` is not on PATH")


def check_browser() -> Check:
    explicit = os.environ.get("CHROMIUM_EXECUTABLE")
    if explicit:
        found = Path(explicit).is_file()
        return Check(
            found,
            f"Chromium: CHROMIUM_EXECUTABLE={explicit}",
            "" if found else "CHROMIUM_EXECUTABLE names no file",
        )
    if DEBIAN_CHROMIUM.is_file():
        return Check(
            True,
            "Chromium: /usr/bin/chromium (CHROMIUM_EXECUTABLE=/usr/bin/chromium makes browsers the "
            "tests launch themselves use it too)",
        )
    cache = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    )
    found = any(cache.glob("chromium*"))
    return Check.of(
        found,
        f"Chromium: Playwright's own in {cache}",
        "run `python -m playwright install chromium`, or apt-get install chromium and set "
        "CHROMIUM_EXECUTABLE=/usr/bin/chromium",
    )


@contextmanager
def running_app(app: AppSettings, out: Path) -> Iterator[Check]:
    """The app answering at its health URL: already running, or started for the check."""
    try:
        if httpx.get(app.health_url, timeout=2).status_code == 200:
            yield Check(True, f"[app] answers at {app.health_url} (already running)")
            return
    except httpx.HTTPError:
        pass
    pid_file = out / "doctor-app.pid"
    pid = backend.start(app, pid_file)
    try:
        health = backend.wait_healthy(app.health_url, app.health_timeout_s, pid)
        tail = (
            app.log.read_text(encoding="utf-8", errors="replace")[-600:] if app.log.exists() else ""
        )
        yield Check(
            health.ok,
            f"[app] started and answers at {app.health_url}"
            + (f" in {health.seconds:.1f}s" if health.ok else f": {health.detail}"),
            ""
            if health.ok
            else f"read {app.log} (it ends: {tail.strip()[-300:]!r}); check [app] start, migrate, "
            "health_url",
        )
    finally:
        backend.stop(pid_file)


def collects(settings: Settings, e2e: E2ESettings, root: Path, out: Path) -> Check:
    """The suite's own command, collecting only: its plugins, settings and imports resolve."""
    app = settings.app
    argv = expand(e2e.run, python=sys.executable, base_url=app.base_url if app else "", tests=[])
    argv += ["--collect-only", "-q", f"--junitxml={(out / 'collect.xml').resolve()}"]
    record = run(
        "doctor-collect", argv, out, limits=Limits(timeout_s=300, stall_s=120),
        env=os.environ | e2e.env, cwd=root,
    )  # fmt: skip
    text = _read(Path(record.stdout))
    counted = re.search(r"(\d+) tests? collected", text)
    if record.exit_code == 0 and counted:
        return Check(True, f"[e2e] run collects {counted[1]} test(s)")
    tail = " | ".join(line for line in text.strip().splitlines()[-4:] if line.strip())
    return Check(
        False,
        f"[e2e] run does not collect the suite (exit {record.exit_code})",
        f"{tail[-400:]!r}; a missing plugin (pytest-django, pytest-playwright), settings or "
        f"an import error; the whole output: {record.stdout}",
    )


def probe(settings: Settings, e2e: E2ESettings, root: Path, out: Path) -> list[Check]:
    """A test that fails on purpose, run with [e2e] run_subset: its JUnit report, the DOM
    snapshot named in it, and the failing line."""
    found = survey(root)
    if not found.test_dirs:
        return [
            Check(
                False,
                "probe: no Playwright tests found to put a probe beside",
                "check [e2e] run and where the tests are",
            )
        ]
    folder = root / found.test_dirs[0]
    name = f"test_agent_engine_probe_{secrets.token_hex(4)}.py"
    path = folder / name
    path.write_text(
        PROBE_WITH_FIXTURES if found.uses_fixtures else PROBE_OWN_BROWSER, encoding="utf-8"
    )
    test_id = f"{found.test_dirs[0]}/{name}::test_agent_engine_probe"
    app = settings.app
    argv = expand(
        e2e.run_subset,
        python=sys.executable,
        base_url=app.base_url if app else "",
        tests=[test_id],
        checkout=str(root),
    )
    e2e.rerun_junit.unlink(missing_ok=True)
    try:
        record = run(
            "doctor-probe",
            argv,
            out,
            limits=Limits(timeout_s=300, stall_s=120),
            env=os.environ | e2e.env,
            cwd=root,
        )
    finally:
        path.unlink(missing_ok=True)
    cases = [c for c in read_cases([e2e.rerun_junit]) if "agent_engine_probe" in c.result.id]
    checks = [
        Check.of(
            bool(cases),
            f"probe: the JUnit report {e2e.rerun_junit} names the probe test",
            f"[e2e] run_subset must write its JUnit XML to [e2e] rerun_junit ({e2e.rerun_junit});"
            f" the run said: {record.stdout_tail[-300:]!r}",
        )
    ]
    if not cases:
        return checks
    case = cases[0]
    if "agent-engine-probe-missing" not in case.text + case.result.message:
        first = (case.result.message or case.text).strip().splitlines()[:1]
        hint = (
            "no browser to launch: set CHROMIUM_EXECUTABLE=/usr/bin/chromium (Debian's) or run "
            "`python -m playwright install chromium`"
            if "Executable doesn't exist" in case.text + case.result.message
            else "the suite's fixtures did not let a test reach the page; read "
            f"{out / 'doctor-probe.stdout.log'}"
        )
        return [*checks, Check(False, f"probe: failed before its locator: {first}", hint)]
    snapshot = case.properties.get("dom_snapshot", "")
    saved = bool(snapshot) and "agent-engine-probe" in _read(root / snapshot)
    if saved:
        shutil.rmtree((root / snapshot).parent, ignore_errors=True)  # the probe's, not theirs
    checks.append(
        Check.of(
            saved,
            "probe: a DOM snapshot of the failure is named in the JUnit report",
            "Agent Engine's pytest plugin did not run: install agent-engine into the Python that "
            "runs the suite, and drop any `-p no:agent_engine`",
        )
    )
    located = case.result.file.endswith(name) and case.result.line is not None
    checks.append(
        Check.of(
            located,
            f"probe: the failing line is known ({case.result.file}:{case.result.line})",
            "the report does not say where the test failed; keep Agent Engine's plugin on",
        )
    )
    return checks


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def worktree_needs(settings: Settings, root: Path) -> list[Check]:
    """Git-ignored folders present here that the validation worktree would lack. One that is
    named in the code but absent (a build output, or a folder the app creates at start-up)
    is only mentioned: there is nothing to copy yet."""
    left_out = [
        d for d in survey(root).runtime_dirs if not _copied(d, settings.fix_agent.worktree_copy)
    ]
    present = [d for d in left_out if (root / d).exists()]
    absent = [d for d in left_out if d not in present]
    checks = [
        Check.of(
            not present,
            f"worktree: git-ignored {', '.join(present)} would be missing where patches are "
            "validated"
            if present
            else "worktree: no git-ignored folder left out of [fix_agent] worktree_copy",
            f"add what the suite needs to [fix_agent] worktree_copy = {present!r}",
        )
    ]
    if absent:
        checks.append(
            Check(
                True,
                f"worktree: git-ignored {', '.join(absent)} named in the code but absent here; "
                "add to [fix_agent] worktree_copy what the run creates before patches are "
                "validated",
            )
        )
    return checks


_ENV_FILE = re.compile(r"(?:^|/)\.env(?:\.(?!example$|sample$|template$|dist$)[\w.-]+)?$")
_LOADS_ENV = r"load_dotenv|dotenv_values|read_env\(|env_file|env_files"


def _copied(path: str, copies: Sequence[str]) -> bool:
    """`path` is copied into the worktree: named, or inside a folder that is (`var/` or `var`)."""
    folders = [c.rstrip("/") for c in copies if c.strip("/")]
    return any(path == c or path.startswith(c + "/") for c in folders)


def env_files(settings: Settings, root: Path) -> list[Check]:
    """A git-ignored `.env` the suite loads is not in the worktree where patches are validated,
    and validation passes only allow-listed variables: say so, with the two ways out."""
    listed = git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard"], root)
    found = [
        p
        for p in listed.split("\0")
        if p
        and _ENV_FILE.search(p)
        and not CACHES.search(p)  # a dependency's own .env, in a virtualenv or node_modules
        and not _copied(p, settings.fix_agent.worktree_copy)
    ]
    if not found:
        return []
    loaders = git(
        ["grep", "-l", "-z", "-E", _LOADS_ENV, "--", "*.py", "*.ini", "*.toml", "*.cfg"],
        root,
        ok=(0, 1),
    )
    where = [p for p in loaders.split("\0") if p and p != "agent-engine.toml"]
    if not where:
        return []
    return [
        Check(
            True,
            f"environment: git-ignored {', '.join(found)} is loaded by the suite "
            f"({', '.join(where[:3])}); patches are validated without it",
            "name the variables validation needs in [fix_agent] pass_env, or copy the file "
            f"with [fix_agent] worktree_copy = {found!r} (its secrets then reach the run)",
        )
    ]


def diagnose(settings: Settings, root: Path, out: Path, with_probe: bool) -> Iterator[Check]:
    for name, command in commands(settings):
        yield check_command(name, command)
    yield check_browser()
    if settings.e2e is None:
        yield Check(
            False,
            "[e2e] is missing",
            "say how to run the suite: `agent-engine init` writes a first one",
        )
        return
    yield from worktree_needs(settings, root)
    yield from env_files(settings, root)
    remote = survey(root).remote_urls
    if remote and settings.app is not None:
        yield Check(
            False,
            f"the suite opens {', '.join(remote)}, not the app started at {settings.app.base_url}",
            "read the base URL from an environment variable in the suite's conftest and set it "
            "in [e2e] env, or leave [app] out to test the deployed site",
        )
    if "pytest" in " ".join(settings.e2e.run):
        yield collects(settings, settings.e2e, root, out)
    if settings.app is None:
        if with_probe:
            yield from probe(settings, settings.e2e, root, out)
        return
    with running_app(settings.app, out) as answer:
        yield answer
        if with_probe and answer.ok:
            yield from probe(settings, settings.e2e, root, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="agent-engine doctor",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, default=None, help="default: agent-engine.toml")
    parser.add_argument("--no-probe", action="store_true", help="skip the probe test run")
    parser.add_argument("--out", type=Path, default=Path("out/doctor"), help="default: out/doctor")
    args = parser.parse_args(argv)
    return guarded(lambda: _doctor(args, print))


def _doctor(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    settings = load_settings(args.config)
    root = Path(git(["rev-parse", "--show-toplevel"], Path.cwd()).strip())
    say(f"doctor: {args.config or 'agent-engine.toml'} in {root}")
    say("  ok   the config loads")
    to_fix = 0
    for check in diagnose(settings, root, args.out, not args.no_probe):
        say(check.line())
        to_fix += not check.ok
    say(f"doctor: {'nothing to fix' if not to_fix else f'{to_fix} thing(s) to fix'}")
    return 1 if to_fix else 0


if __name__ == "__main__":
    sys.exit(main())
