"""agent-engine init and doctor on small repositories written here: what the survey reads
(tests, page objects, pytest configuration, framework, port, runtime folders), the config it
writes, and doctor's checks, each failing the way a user would meet it."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import pytest

from agent_engine.cli import doctor, init, main
from agent_engine.cli.survey import survey
from agent_engine.fix.imports import by_suffix, imported
from agent_engine.fix.worktree import git
from agent_engine.settings import Settings, load_settings

ADOPT = Path(__file__).resolve().parents[1] / "fixtures" / "adopt"
CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE") or "/usr/bin/chromium"


def repository(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(["init", "-q", "-b", "main"], root)
    git(["add", "-A"], root)
    git(["-c", "user.name=u", "-c", "user.email=u@example.com", "commit", "-qm", "x"], root)
    return root


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ADOPT, repo)
    return repository(repo, {})


def test_the_survey_reads_a_project_in_a_sub_folder(inventory: Path) -> None:
    found = survey(inventory)
    assert found.test_dirs == ["services/inventory/qa/ui"]
    assert found.playwright_tests == ["services/inventory/qa/ui/test_inventory.py"]
    assert (found.project, found.pytest_config) == (
        "services/inventory",
        "services/inventory/pytest.ini",
    )
    assert found.page_objects == ["services/inventory/qa/ui/pages/inventory_page.py"]
    assert found.launches_browser
    assert not found.uses_fixtures
    assert found.app is not None
    assert found.app.framework == "Starlette"
    assert found.app.start[3] == "inventory.app:app"
    assert found.port == 8765
    assert found.runtime_dirs == ["services/inventory/workdir"]


def test_the_survey_follows_imports_to_base_classes_and_page_objects(tmp_path: Path) -> None:
    """unittest-style browser tests: the base class drives the browser, the page objects sit
    in a sibling folder, and one page object is named like a test module."""
    base = (
        "from playwright.sync_api import sync_playwright\n\n\n"
        "class BrowserCase:\n    def setUp(self):\n        self.pw = sync_playwright().start()\n"
    )
    repo = repository(
        tmp_path / "repo",
        {
            "qa/__init__.py": "",
            "qa/cases/__init__.py": "",
            "qa/cases/base.py": base,
            "qa/cases/test_signin.py": (
                "from ..screens.signin import SignIn\nfrom .base import BrowserCase\n\n\n"
                "class TestSignIn(BrowserCase):\n    def test_ok(self):\n        SignIn(self.tab)\n"
            ),
            "qa/cases/billing/test_invoices.py": (
                "from ... import screens\nfrom .. import base\n\n\n"
                "class TestInvoices(base.BrowserCase):\n    def test_list(self):\n        pass\n"
            ),
            "qa/screens/__init__.py": "",
            "qa/screens/signin.py": (
                "class SignIn:\n    def __init__(self, tab):\n"
                "        self.user = tab.get_by_label('User')\n"
            ),
            "qa/screens/quiz_test.py": (
                "class QuizTest:\n    def __init__(self, tab):\n"
                "        self.answer = tab.locator('#answer')\n"
            ),
            "qa/screens/footer.py": "class Footer:\n    pass\n",
            "qa/cases/billing/test_units.py": "def test_sum():\n    assert 1 + 1 == 2\n",
            # a base class taking pytest-playwright's page in an autouse fixture
            "qa/cases/fx/base.py": (
                "import pytest\nfrom playwright.sync_api import Page\n\n\nclass Base:\n"
                "    @pytest.fixture(autouse=True)\n    def _setup(self, page: Page):\n"
                "        self.tab = page\n"
            ),
            "qa/cases/fx/test_fx.py": (
                "from .base import *\n\n\nclass TestFx(Base):\n    def test_fx(self):\n"
                "        assert self.tab\n"
            ),
            # a helper that only imports Playwright's types does not make its users browser tests
            "qa/types.py": "from playwright.sync_api import Page\n\nTab = Page\n",
            "unit/test_types.py": "from qa.types import Tab\n\n\ndef test_tab():\n    assert Tab\n",
            # the app's own module, imported by a test: never a page object the agent may edit
            "shop/render.py": "def button(page):\n    return page.locator('#buy')\n",
            "qa/cases/test_quiz.py": (
                "from shop.render import button\n"
                "from qa.screens.quiz_test import QuizTest\nfrom qa.cases.base import BrowserCase"
                "\n\n\nclass TestQuiz(BrowserCase):\n    def test_answer(self):\n        pass\n"
            ),
        },
    )
    found = survey(repo)
    assert found.playwright_tests == [
        "qa/cases/billing/test_invoices.py",
        "qa/cases/fx/test_fx.py",
        "qa/cases/test_quiz.py",
        "qa/cases/test_signin.py",
    ]
    assert found.test_dirs == ["qa/cases"]
    assert found.page_objects == ["qa/screens/quiz_test.py", "qa/screens/signin.py"]
    text = init.render(found)
    assert '"qa/screens/quiz_test.py", "qa/screens/signin.py"]' in text


def test_imports_are_followed_in_every_form() -> None:
    sources = [
        *("pages.py", "test_a.py", "pkg/__init__.py", "pkg/helpers.py"),
        *("src/pkg/screens.py", "qa/base.py"),
    ]
    text = (
        "from . import pages\nfrom pkg import helpers as h\nimport sys, pkg.screens as s\n"
        "from os import path\nfrom pkg.helpers import (\n    a,\n    b,\n)\nfrom qa.base import *\n"
    )
    assert imported("test_a.py", text, by_suffix(sources)) == {
        "pages.py",
        "pkg/__init__.py",
        "pkg/helpers.py",
        "src/pkg/screens.py",  # a src/ layout: found by the end of its path
        "qa/base.py",
    }


def test_init_writes_a_config_that_loads_and_never_overwrites_one(
    inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init.main(["--root", str(inventory)]) == 0
    settings = load_settings(inventory / "agent-engine.toml")
    assert settings.app is not None
    assert settings.e2e is not None
    assert settings.app.env == {"PYTHONPATH": "services/inventory"}
    assert "{tests}" in settings.e2e.run_subset
    assert settings.fix_agent.worktree_copy == ["services/inventory/workdir"]
    text = (inventory / "agent-engine.toml").read_text()
    assert "# Starlette app found in services/inventory/inventory/app.py" in text
    assert "wrote" in capsys.readouterr().out
    assert init.main(["--root", str(inventory)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert init.main(["--root", str(inventory), "--force"]) == 0


@pytest.mark.parametrize(
    ("files", "framework", "start"),
    [
        (
            {
                "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
                "tests/e2e/test_cart.py": "def test_cart(page):\n    page.goto('/cart')\n",
            },
            "Django",
            ["{python}", "manage.py", "runserver", "127.0.0.1:8000", "--noreload"],
        ),
        (
            {
                "api/main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n",
                "tests/test_ui.py": "from playwright.sync_api import Page\n\n\ndef test_ui(page: Page):\n    page.goto('http://localhost:5000/')\n",
            },
            "FastAPI",
            ["{python}", "-m", "uvicorn", "api.main:api", "--host", "127.0.0.1", "--port", "5000"],
        ),
        (
            {
                "site/web.py": "from flask import Flask\napp = Flask(__name__)\n",
                "ui_tests/test_home.py": "def test_home(page):\n    page.goto('/')\n",
            },
            "Flask",
            [
                "{python}",
                "-m",
                "flask",
                "--app",
                "site.web:app",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                "8000",
            ],
        ),
    ],
    ids=["django", "fastapi", "flask"],
)
def test_init_finds_how_to_start_the_app(
    tmp_path: Path, files: dict[str, str], framework: str, start: list[str]
) -> None:
    repo = repository(tmp_path / "repo", files)
    found = survey(repo)
    assert found.app is not None
    assert found.app.framework == framework
    text = init.render(found)
    out = tmp_path / "agent-engine.toml"
    out.write_text(text)
    settings = load_settings(out)
    assert settings.app is not None
    assert settings.app.start == start
    assert settings.e2e is not None
    assert ("--base-url" in settings.e2e.run) is found.uses_fixtures


def test_a_suite_that_starts_its_own_app_gets_no_app_section(tmp_path: Path) -> None:
    repo = repository(
        tmp_path / "repo",
        {
            "tests/test_live.py": "def test_home(live_server, page):\n    page.goto(live_server.url)\n"
        },
    )
    text = init.render(survey(repo))
    assert "# No [app]: the suite starts the app itself" in text
    out = tmp_path / "c.toml"
    out.write_text(text)
    assert load_settings(out).app is None


def test_without_an_app_init_says_what_to_write(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo", {"e2e/test_a.py": "def test_a(page):\n    pass\n"})
    found = survey(repo)
    assert found.uses_fixtures
    text = init.render(found)
    assert "# No web app found to start" in text
    assert '# start = ["{python}", "-m", "yourapp", "--port", "8000"]' in text
    # no [app], so no address to give: the suite's own base_url stays in charge
    out = tmp_path / "c.toml"
    out.write_text(text)
    settings = load_settings(out)
    assert settings.e2e is not None
    assert "--base-url" not in settings.e2e.run
    assert "--base-url" not in settings.e2e.run_subset
    assert '# With an [app], add "--base-url", "{base_url}" to run and run_subset.' in text


def test_the_command_line_dispatches_by_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main([]) == 2
    assert "agent-engine <stage> <command>" in capsys.readouterr().out
    assert main.main(["--help"]) == 0
    assert main.main(["--version"]) == 0
    assert "agent-engine 0." in capsys.readouterr().out
    assert main.main(["nope"]) == 2
    assert "unknown stage 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main.main(["flush", "--help"])
    assert done.value.code == 0
    assert "agent-engine flush" in capsys.readouterr().out


# --- doctor ------------------------------------------------------------------------------


def run_doctor(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with contextlib.chdir(repo):
        code = doctor.main(["--out", str(repo / "out" / "doctor"), *args])
    return code, capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs a Chromium (installed by tools.dev)")
def test_doctor_finds_nothing_to_fix_on_a_working_setup(
    inventory: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_EXECUTABLE", CHROMIUM)
    init.main(["--root", str(inventory)])
    code, out = run_doctor(inventory, capsys)
    assert code == 0, out
    assert "  ok   [app] started and answers at http://127.0.0.1:8765/" in out
    assert "  ok   probe: a DOM snapshot of the failure is named in the JUnit report" in out
    assert (
        "  ok   probe: the failing line is known (services/inventory/qa/ui/test_agent_engine_probe_"
        in out
    )
    assert not list(
        (inventory / "services" / "inventory" / "qa" / "ui").glob("test_agent_engine_probe_*")
    )
    assert git(["status", "--porcelain"], inventory) == "?? agent-engine.toml\n"


@pytest.mark.slow
def test_doctor_says_what_to_fix(
    inventory: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_EXECUTABLE", str(inventory / "no-such-chromium"))
    (inventory / "agent-engine.toml").write_text(
        '[app]\nstart = ["{python}", "-m", "no_such_server"]\nbase_url = "http://127.0.0.1:8799"\n'
        'health_url = "http://127.0.0.1:8799/"\nhealth_timeout_s = 3\nlog = "out/app.log"\n'
        '[e2e]\nrun = ["no-such-runner"]\nrun_subset = ["{python}", "-m", "pytest", "{tests}"]\n'
        'junit = "out/j.xml"\nlog = "out/e.log"\noutput = "out/r"\n'
    )
    code, out = run_doctor(inventory, capsys)
    assert code == 1
    assert "  FIX  [app] start: python -m no_such_server" in out
    assert "pip install what provides `no_such_server`" in out
    assert "  FIX  [e2e] run: no-such-runner\n       -> `no-such-runner` is not on PATH" in out
    assert "  FIX  Chromium: CHROMIUM_EXECUTABLE=" in out
    # the app never started, so its git-ignored workdir is not there to copy: a mention only
    assert "  FIX  worktree:" not in out
    assert (
        "  ok   worktree: git-ignored services/inventory/workdir named in the code but absent here"
        in out
    )
    assert "  FIX  [app] started and answers at http://127.0.0.1:8799/: the process" in out
    assert "No module named no_such_server" in out
    assert "doctor: " in out
    assert "thing(s) to fix" in out


def test_doctor_asks_to_copy_only_the_ignored_folders_that_are_there(inventory: Path) -> None:
    settings = Settings()
    [mention] = [c for c in doctor.worktree_needs(settings, inventory) if "absent" in c.what]
    assert mention.ok
    assert not [c for c in doctor.worktree_needs(settings, inventory) if not c.ok]
    (inventory / "services" / "inventory" / "workdir").mkdir()
    (inventory / "services" / "inventory" / "workdir" / "seed.json").write_text("{}")
    [failed] = [c for c in doctor.worktree_needs(settings, inventory) if not c.ok]
    assert "services/inventory/workdir would be missing" in failed.what
    assert "worktree_copy = ['services/inventory/workdir']" in failed.fix
    for copies in (["services/inventory/workdir/"], ["services"]):  # a slash, a parent folder
        listed = Settings.model_validate({"fix_agent": {"worktree_copy": copies}})
        assert all(c.ok for c in doctor.worktree_needs(listed, inventory)), copies


def test_doctor_tells_of_a_git_ignored_env_file_the_suite_loads(tmp_path: Path) -> None:
    repo = repository(
        tmp_path / "repo",
        {
            ".gitignore": ".env\n.env.local\n",
            ".env.example": "API_TOKEN=\n",
            "tests/conftest.py": "from dotenv import load_dotenv\n\nload_dotenv()\n",
            "tests/test_a.py": "def test_a(page):\n    pass\n",
        },
    )
    assert doctor.env_files(Settings(), repo) == []  # nothing ignored is there yet
    (repo / ".env").write_text("API_TOKEN=secret-value\n")
    [check] = doctor.env_files(Settings(), repo)
    assert check.ok  # a decision for the user, not a broken setup
    assert "git-ignored .env is loaded by the suite (tests/conftest.py)" in check.what
    assert "pass_env" in check.fix
    assert "secret-value" not in check.what + check.fix
    copied = Settings.model_validate({"fix_agent": {"worktree_copy": [".env"]}})
    assert doctor.env_files(copied, repo) == []
    (repo / "config").mkdir()
    (repo / "config" / ".env").write_text("X=1\n")
    (repo / ".gitignore").write_text(".env\n.env.local\nconfig/\n.venv/\n")
    (repo / ".venv" / "lib" / "dep").mkdir(parents=True)
    (repo / ".venv" / "lib" / "dep" / ".env").write_text("Y=2\n")  # a dependency's own
    in_folder = Settings.model_validate({"fix_agent": {"worktree_copy": [".env", "config/"]}})
    assert doctor.env_files(in_folder, repo) == []  # under a copied folder: copied
    [left] = doctor.env_files(copied, repo)
    assert "config/.env" in left.what
    assert ".venv" not in left.what
    (repo / "tests" / "conftest.py").write_text("import os\n")
    git(["-c", "user.name=u", "-c", "user.email=u@example.com", "commit", "-qam", "x"], repo)
    assert doctor.env_files(Settings(), repo) == []  # nothing loads it


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs a Chromium (installed by tools.dev)")
def test_doctor_notices_the_plugin_is_off(
    inventory: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_EXECUTABLE", CHROMIUM)
    init.main(["--root", str(inventory)])
    config = inventory / "agent-engine.toml"
    config.write_text(
        config.read_text().replace(
            '"--junitxml", "out/e2e/rerun-junit.xml"',
            '"-p", "no:agent_engine", "--junitxml", "out/e2e/rerun-junit.xml"',
        )
    )
    code, out = run_doctor(inventory, capsys)
    assert code == 1
    assert "  FIX  probe: a DOM snapshot of the failure is named in the JUnit report" in out
    assert "drop any `-p no:agent_engine`" in out


def test_doctor_without_a_suite_or_a_browser_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repository(
        tmp_path / "repo", {"agent-engine.toml": "[fix_agent]\nvalidation_runs = 1\n"}
    )
    monkeypatch.delenv("CHROMIUM_EXECUTABLE", raising=False)
    monkeypatch.setattr(doctor, "DEBIAN_CHROMIUM", tmp_path / "none")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "browsers"))
    code, out = run_doctor(repo, capsys)
    assert code == 1
    assert "  FIX  Chromium: Playwright's own in" in out
    assert "  FIX  [e2e] is missing" in out
    assert sys.executable  # the checks ran in this interpreter
