"""doctor's checks one by one, with small stand-ins for the suite's runner (a script that
writes the JUnit report a pytest run would), so each way a setup goes wrong is met."""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_engine.cli import doctor
from agent_engine.fix.worktree import git
from agent_engine.heal.backend import free_port
from agent_engine.settings import Settings

# Stands in for the suite's runner: `--collect-only` prints a count; otherwise writes the
# JUnit report of the probe with the failure message named by RUNNER_SAYS.
RUNNER = """import os, sys
from pathlib import Path
from xml.sax.saxutils import quoteattr
args = sys.argv[1:]
if "--collect-only" in args:
    print(os.environ.get("RUNNER_COLLECT", "3 tests collected in 0.01s"))
    sys.exit(int(os.environ.get("RUNNER_COLLECT_EXIT", "0")))
says = os.environ.get("RUNNER_SAYS", "")
if says != "nothing":
    probe = next(a for a in args if "agent_engine_probe" in a)
    module = probe.split("::")[0].removesuffix(".py").replace("/", ".")
    Path("out").mkdir(exist_ok=True)
    Path("out/rerun.xml").write_text(
        f'<testsuite><testcase classname={quoteattr(module)} name="test_agent_engine_probe">'
        f'<failure message={quoteattr(says)}>{says}</failure></testcase></testsuite>'
    )
print("1 failed")
sys.exit(1)
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "e2e").mkdir(parents=True)
    (root / "e2e" / "test_home.py").write_text(
        "from playwright.sync_api import Page\n\n\ndef test_home(page: Page):\n"
        "    page.goto('https://shop.example.com/')\n"
    )
    (root / "runner.py").write_text(RUNNER)
    (root / "manage.py").write_text("print('django')\n")
    git(["init", "-q", "-b", "main"], root)
    git(["add", "-A"], root)
    git(["-c", "user.name=u", "-c", "user.email=u@example.com", "commit", "-qm", "x"], root)
    return root


def settings(**sections: object) -> Settings:
    e2e = {
        "run": ["{python}", "runner.py", "pytest", "e2e"],
        "run_subset": ["{python}", "runner.py", "pytest", "{tests}"],
        "junit": "out/junit.xml",
        "rerun_junit": "out/rerun.xml",
        "log": "out/e2e.log",
        "output": "out/results",
    }
    return Settings.model_validate({"e2e": e2e, **sections})


def checks(root: Path, config: Settings, monkeypatch: pytest.MonkeyPatch) -> list[doctor.Check]:
    monkeypatch.chdir(root)
    return list(doctor.diagnose(config, root, root / "out" / "doctor", True))


def named(found: list[doctor.Check], start: str) -> doctor.Check:
    return next(c for c in found if c.what.startswith(start))


def test_a_script_named_by_a_command_must_exist(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    assert doctor.check_command("[app] migrate", ["{python}", "manage.py", "migrate"]).ok
    missing = doctor.check_command("[app] seed", ["{python}", "seed.py"])
    assert not missing.ok
    assert "seed.py does not exist" in missing.fix


@pytest.mark.parametrize(
    ("says", "start", "fix"),
    [
        (
            "BrowserType.launch: Executable doesn't exist at /x",
            "probe: failed before its locator",
            "CHROMIUM_EXECUTABLE",
        ),
        (
            "fixture 'login' not found",
            "probe: failed before its locator",
            "doctor-probe.stdout.log",
        ),
        ("nothing", "probe: the JUnit report out/rerun.xml names the probe test", "rerun_junit"),
    ],
)
def test_a_probe_that_never_reaches_its_locator_says_why(
    repo: Path, monkeypatch: pytest.MonkeyPatch, says: str, start: str, fix: str
) -> None:
    monkeypatch.setenv("RUNNER_SAYS", says)
    found = checks(repo, settings(), monkeypatch)
    check = named(found, start)
    assert not check.ok
    assert fix in check.fix
    assert not list((repo / "e2e").glob("test_agent_engine_probe_*"))  # removed after its run


def test_a_suite_that_does_not_collect_is_named(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNER_SAYS", "nothing")
    assert named(checks(repo, settings(), monkeypatch), "[e2e] run collects 3 test(s)").ok
    monkeypatch.setenv("RUNNER_COLLECT", "E   ModuleNotFoundError: No module named 'pytest_django'")
    monkeypatch.setenv("RUNNER_COLLECT_EXIT", "4")
    check = named(
        checks(repo, settings(), monkeypatch), "[e2e] run does not collect the suite (exit 4)"
    )
    assert "No module named 'pytest_django'" in check.fix


@pytest.fixture
def running() -> Iterator[str]:
    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), http.server.SimpleHTTPRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_an_app_already_running_is_used_as_it_is(
    repo: Path, monkeypatch: pytest.MonkeyPatch, running: str
) -> None:
    monkeypatch.setenv("RUNNER_SAYS", "nothing")
    app = {
        "start": ["{python}", "-c", "raise SystemExit(3)"],
        "base_url": running,
        "health_url": running + "/",
    }
    found = checks(repo, settings(app=app), monkeypatch)
    assert named(found, f"[app] answers at {running}/ (already running)").ok
    remote = named(found, "the suite opens https://shop.example.com/")
    assert not remote.ok
    assert "environment variable" in remote.fix
    assert sys.executable
