"""The fix agent on a small real git repository: where locators stand in the source, the edit on
a worktree, the guardrails, validation by a real rerun command, and determinism."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agent_engine.fix.agent import (
    MAX_USERS,
    Constraints,
    FixAgent,
    FixInput,
    InputTarget,
    plan,
    users_of,
)
from agent_engine.fix.locators import parse
from agent_engine.fix.report import HealRecord
from agent_engine.fix.sites import enclosing_function, find_sites
from agent_engine.fix.worktree import git
from agent_engine.settings import GuardrailPolicy, Settings
from agent_engine.taxonomy import ErrorType, FixStrategy
from agent_engine.triage.classify import Classifier

TEST_FILE = """from playwright.sync_api import Page, expect

from .pages import rows


def test_create(page: Page) -> None:
    page.goto("/projects")
    page.locator("#new-project-btn").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()


def test_rows(page: Page) -> None:
    listed = rows(page)
    expect(listed.filter(has_text="Apollo")).to_be_visible()


def test_save(page: Page) -> None:
    button = page.get_by_role(
        'button', name="Save"
    )
    button.click()


def test_text(page: Page) -> None:
    page.set_default_timeout(5000)
    expect(page.locator("p.description")).to_have_text("Done")
"""
PAGES = """from playwright.sync_api import Locator, Page


def rows(page: Page) -> Locator:
    return page.get_by_test_id("row")
"""
# The rerun: fails like Playwright while the old locator is still in the tests, else passes.
# CHECK_FAIL_ON names a run (counted in a file) that fails anyway: a flaky patch.
CHECK = """import os, re, sys
from pathlib import Path
from xml.sax.saxutils import quoteattr
source = Path("e2e/test_app.py").read_text() + Path("e2e/pages.py").read_text()
count = Path(os.environ["CHECK_COUNTER"])
runs = int(count.read_text()) + 1 if count.exists() else 1
count.write_text(str(runs))
if os.environ.get("CHECK_NEEDS") and not Path(os.environ["CHECK_NEEDS"]).exists():
    sys.exit(f"{os.environ['CHECK_NEEDS']} is missing")
if os.environ.get("CHECK_SLEEP"):
    import time; time.sleep(float(os.environ["CHECK_SLEEP"]))
junit = next(a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--junitxml="))
tests = []
for arg in sys.argv[1:]:
    if arg.endswith(".py"):
        names = re.findall(r"^def (test_\\w+)", Path(arg).read_text(), re.M)
        tests += [f"{arg}::{name}" for name in names]
    elif "::" in arg:
        tests.append(arg)
old = {"test_create": '"#new-project-btn"', "test_rows": '"row"'}
stale = [t for t in tests if old.get(t.rsplit("::", 1)[-1], "never") in source]
broken = str(runs) == os.environ.get("CHECK_FAIL_ON")
cases = []
for test in tests:
    module, name = test.split("::")[0].removesuffix(".py").replace("/", "."), test.split("::")[-1]
    failure = '<failure message="TimeoutError"/>' if test in stale or broken else ""
    cases.append(f"<testcase classname={quoteattr(module)} name={quoteattr(name)}>{failure}</testcase>")
Path(junit).write_text("<testsuite>" + "".join(cases) + "</testsuite>")
if stale or broken:
    print("E   playwright._impl._errors.TimeoutError: Locator.click: Timeout 5000ms exceeded.")
    print('E   Call log:\\nE     - waiting for locator("#new-project-btn")')
    sys.exit(1)
print(f"{len(tests)} passed")
"""
PAGE = """<html><body><nav><a href="/">Home</a><a href="/projects">Projects</a></nav>
<main><h1>Projects</h1>
<a href="/projects/new" id="create-project-btn" class="button">New project</a>
<ul><li data-testid="project-row">Apollo</li><li data-testid="project-row">Borealis</li></ul>
<form><button type="submit">Save</button></form></main></body></html>"""
GONE = PAGE.replace(
    '<a href="/projects/new" id="create-project-btn" class="button">New project</a>', ""
)


S1 = "5" * 64  # the key of the one DOM snapshot


def commit_all(repo: Path, message: str = "init") -> None:
    git(["add", "-A"], repo)
    git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message], repo)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "e2e").mkdir(parents=True)
    (root / "e2e" / "__init__.py").write_text("")
    (root / "e2e" / "test_app.py").write_text(TEST_FILE)
    (root / "e2e" / "pages.py").write_text(PAGES)
    (root / "check.py").write_text(CHECK)
    (root / ".gitignore").write_text("fix-agent/\n")
    git(["init", "-q", "-b", "main"], root)
    commit_all(root)
    return root


def settings_for(tmp_path: Path, **fix: object) -> Settings:
    env = {"CHECK_COUNTER": str(tmp_path / "runs")}
    return Settings.model_validate(
        {
            "e2e": {
                "run": ["true"],
                "run_subset": ["{python}", "check.py", "{tests}"],
                "junit": "junit.xml",
                "log": "e2e.log",
                "output": "out",
                "env": env | {str(k): str(v) for k, v in fix.pop("env", {}).items()},  # type: ignore[attr-defined]
            },
            "fix_agent": {"guardrails": {"allowed": ["e2e/**"]}, **fix},
        }
    )


def fix_input(repo: Path, *targets: InputTarget, html: str = PAGE, **extra: object) -> FixInput:
    return FixInput(
        run_id="42",
        base_sha=git(["rev-parse", "HEAD"], repo).strip(),
        error_type=ErrorType.LOCATOR_NOT_FOUND,
        signature="locator_not_found:abc",
        applicable=True,
        reason="test",
        failing_tests=[t.test_id for t in targets],
        evidence=[],
        targets=list(targets),
        snapshots={S1: html},
        constraints=Constraints(
            strategy=FixStrategy.HEAL_LOCATOR,
            guardrails=GuardrailPolicy(allowed=["e2e/**"]),
            validation_runs=3,
            validation_budget_s=60,
        ),
    ).model_copy(update=extra)


CREATE = InputTarget(
    test_id="e2e/test_app.py::test_create",
    file="e2e/test_app.py",
    line=8,
    locator='locator("#new-project-btn")',
    action="click",
    snapshot=S1,
)
ROWS = InputTarget(
    test_id="e2e/test_app.py::test_rows",
    file="e2e/test_app.py",
    line=14,
    locator='get_by_test_id("row").filter(has_text="Apollo")',
    action="to_be_visible",
    snapshot=S1,
)


def status(repo: Path) -> str:
    return git(["status", "--porcelain"], repo) + git(["worktree", "list"], repo).count("\n") * "w"


# --- where a locator stands ------------------------------------------------------------------


def test_sites_are_found_by_meaning_not_by_spelling() -> None:
    source = TEST_FILE.encode()
    [site] = find_sites("t.py", source, parse('get_by_role("button", name="Save")'))
    assert (site.first_line, site.last_line) == (18, 20)
    assert site.text.startswith("get_by_role(\n        'button'")
    [click] = find_sites("t.py", source, parse('locator("#new-project-btn")'))
    assert (click.first_line, click.text) == (8, 'locator("#new-project-btn")')
    assert find_sites("t.py", source, parse('locator("#other")')) == []
    assert find_sites("t.py", b"def broken(:\n", parse('locator("#new-project-btn")')) == []


def test_a_chain_prefix_is_a_site_of_its_base() -> None:
    source = b'rows = page.get_by_test_id("row").filter(has_text="A")\n'
    [site] = find_sites("t.py", source, parse('get_by_test_id("row")'))
    assert site.text == 'get_by_test_id("row")'
    assert source[site.start : site.end] == site.text.encode()


def test_enclosing_function() -> None:
    assert enclosing_function(TEST_FILE.encode(), 14) == (12, 14)
    assert enclosing_function(TEST_FILE.encode(), 1) is None
    assert enclosing_function(b"def broken(:\n", 1) is None


# --- apply-and-validate ----------------------------------------------------------------------


def test_a_healed_locator_is_validated_and_the_checkout_untouched(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out", classifier)
    diff, meta = agent.run(fix_input(repo, CREATE))
    assert meta.outcome == "validated", meta.reason
    assert '-    page.locator("#new-project-btn").click()' in diff
    assert '+    page.get_by_role("link", name="New project").click()' in diff
    assert meta.validation.reproduced is True
    assert meta.validation.baseline_error_type == "locator_not_found"
    assert meta.validation.passed_runs == meta.validation.required_runs == 3
    # test_rows fails in every run (its page object is not healed) as it did before: only the
    # target and the tests green before the patch must pass, each proven by the run's report
    for index in (1, 2, 3):
        report = (tmp_path / "out" / "validation" / f"validate-{index}.junit.xml").read_text()
        assert '<testcase classname="e2e.test_app" name="test_create"></testcase>' in report
    assert meta.validation.runs[0].argv[-2:] == [
        "e2e/test_app.py",
        f"--junitxml={(tmp_path / 'out' / 'validation' / 'validate-1.junit.xml').resolve()}",
    ]
    # the first run checks the other tests of the edited file; the later ones the target alone
    assert [r.argv[-2] for r in meta.validation.runs[1:]] == ["e2e/test_app.py::test_create"] * 2
    assert meta.validation.also_checked == ["e2e/test_app.py"]
    assert meta.validation.kept_green == ["e2e.test_app::test_save", "e2e.test_app::test_text"]
    assert meta.guardrails.decision == "pass"
    assert meta.guardrails.worktree_clean
    assert {r.decision for r in meta.guardrails.rules} == {"pass"}
    assert meta.branch == "agent-engine/fix/42"
    assert not meta.needs_manual_review
    assert meta.risk_class == "test-only"
    assert "3/3" in meta.pr_body
    assert meta.edits[0].model_dump() == {
        "file": "e2e/test_app.py",
        "line": 8,
        "before": 'locator("#new-project-btn")',
        "after": 'get_by_role("link", name="New project")',
        "tests": ["e2e/test_app.py::test_create"],
    }
    assert status(repo) == "w"  # nothing changed, only the main worktree left
    assert git(["apply", "--check", "-"], repo, diff.encode()) == ""


def test_a_page_object_locator_is_healed_where_it_is_written(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out", classifier)
    diff, meta = agent.run(fix_input(repo, ROWS))
    assert meta.outcome == "validated", meta.reason
    assert "+++ b/e2e/pages.py" in diff
    assert '+    return page.get_by_test_id("project-row")' in diff
    assert [(e.file, e.line) for e in meta.edits] == [("e2e/pages.py", 5)]
    # the page object is used elsewhere: the test files importing it are rerun, and their
    # tests that passed without the patch must pass with it
    assert meta.validation.also_checked == ["e2e/test_app.py"]
    assert meta.validation.kept_green == ["e2e.test_app::test_save", "e2e.test_app::test_text"]


def checkout(root: Path, files: dict[str, str]) -> None:
    """A git checkout holding `files`, committed."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(["init", "-q", "-b", "main"], root)
    commit_all(root)


def test_the_tests_that_import_an_edited_module_are_its_users(tmp_path: Path) -> None:
    files = {
        "e2e/pages/login.py": "class LoginPage: ...\n",
        "e2e/pages/__init__.py": "",
        "e2e/test_login.py": "from e2e.pages.login import LoginPage\n",
        "e2e/test_alias.py": "import os\nfrom .pages import login\n",
        "e2e/test_package.py": "from e2e import pages\n",
        "e2e/test_other.py": "# login is only a word here\nfrom e2e.helpers import logout\n",
        "e2e/conftest.py": "",
        "e2e/admin/test_admin.py": "",
        "tests/test_unit.py": "",
    }
    checkout(tmp_path, files)
    assert users_of(tmp_path, ["e2e/pages/login.py"]) == ["e2e/test_alias.py", "e2e/test_login.py"]
    assert users_of(tmp_path, ["e2e/pages/__init__.py"]) == [
        "e2e/test_alias.py",  # `from .pages import login` names the package too
        "e2e/test_login.py",
        "e2e/test_package.py",
    ]
    assert users_of(tmp_path, ["e2e/conftest.py"]) == [
        "e2e/admin/test_admin.py",
        "e2e/test_alias.py",
        "e2e/test_login.py",
        "e2e/test_other.py",
        "e2e/test_package.py",
    ]
    assert users_of(tmp_path, ["e2e/test_login.py", "README.md"]) == []


def test_users_are_found_by_what_they_import_nearest_first(tmp_path: Path) -> None:
    files = {
        "e2e/__init__.py": "",
        "e2e/helpers/__init__.py": "",
        "e2e/helpers/utils.py": "def fill(page): ...\n",
        "e2e/basket/test_checkout.py": "from e2e.helpers import (\n    utils,\n)\n",
        "app/__init__.py": "",
        "app/utils.py": "",
        **{f"app/tests/test_u{n:02}.py": "from app import utils\n" for n in range(25)},
        **{f"e2e/flows/test_f{n:02}.py": "from ..helpers.utils import fill\n" for n in range(25)},
    }
    checkout(tmp_path, files)
    users = users_of(tmp_path, ["e2e/helpers/utils.py"])
    assert len(users) == MAX_USERS
    assert users[0] == "e2e/basket/test_checkout.py"  # a parenthesised import list
    assert all(u.startswith("e2e/") for u in users)  # `from app import utils` is another module


def test_two_files_exceed_the_locator_cap_and_the_worktree_is_restored(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out", classifier)
    diff, meta = agent.run(fix_input(repo, CREATE, ROWS))
    assert diff == ""
    assert meta.outcome == "refused"
    [violation] = meta.guardrails.violations
    assert (violation.rule, violation.threshold, violation.observed) == (
        "too_many_files",
        "<= 1 (locator)",
        "2",
    )
    assert meta.guardrails.worktree_clean
    assert status(repo) == "w"
    assert meta.validation.status == "not_run"


def test_a_removed_element_gives_an_empty_patch_and_an_abstention(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out", classifier)
    diff, meta = agent.run(fix_input(repo, CREATE, html=GONE))
    assert (diff, meta.outcome) == ("", "abstained")
    [heal] = meta.heals
    assert heal.outcome.startswith("abstain_")
    assert heal.candidates is not None
    assert not (tmp_path / "runs").exists()  # nothing to validate, nothing run


def test_the_same_inputs_give_the_same_patch_byte_for_byte(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out", classifier)
    first, meta1 = agent.run(fix_input(repo, CREATE))
    second, meta2 = agent.run(fix_input(repo, CREATE))
    assert first == second
    assert first
    assert meta1.input_sha256 == meta2.input_sha256
    assert meta1.patch_sha256 == meta2.patch_sha256
    other = fix_input(repo, CREATE.model_copy(update={"line": 9}))
    assert agent.run(other)[1].input_sha256 != meta1.input_sha256


@pytest.mark.parametrize(
    ("env", "status_", "reason"),
    [
        ({"CHECK_FAIL_ON": "3"}, "failed", "run 2 of 3: failed: e2e/test_app.py::test_create"),
        ({"CHECK_SLEEP": "3"}, "over_budget", ""),
    ],
)
def test_a_patch_that_does_not_hold_is_kept_for_manual_review(
    repo: Path,
    tmp_path: Path,
    classifier: Classifier,
    env: dict[str, str],
    status_: str,
    reason: str,
) -> None:
    settings = settings_for(tmp_path, env=env, validation_budget_s=5)
    diff, meta = FixAgent(settings, repo, tmp_path / "out", classifier).run(fix_input(repo, CREATE))
    assert diff
    assert meta.outcome == "needs_manual_review"
    assert meta.needs_manual_review
    assert meta.validation.status == status_
    assert reason in meta.validation.reason
    assert meta.validation.passed_runs < 3


def test_a_failure_that_does_not_reproduce_is_not_validated(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    settings = settings_for(tmp_path)
    settings.e2e.run_subset[1:2] = ["-c", "print('1 passed')", "{tests}"]  # type: ignore[union-attr]
    diff, meta = FixAgent(settings, repo, tmp_path / "out", classifier).run(fix_input(repo, CREATE))
    assert diff
    assert meta.outcome == "needs_manual_review"
    assert (meta.validation.status, meta.validation.reproduced) == ("not_reproduced", False)
    assert meta.validation.runs == []


def test_without_a_rerun_command_the_patch_needs_review(repo: Path, tmp_path: Path) -> None:
    settings = Settings.model_validate({"fix_agent": {"guardrails": {"allowed": ["e2e/**"]}}})
    diff, meta = FixAgent(settings, repo, tmp_path / "out").run(fix_input(repo, CREATE))
    assert diff
    assert meta.validation.status == "not_configured"
    assert meta.needs_manual_review


def test_nothing_to_heal_is_not_applicable(repo: Path, tmp_path: Path) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out")
    diff, meta = agent.run(fix_input(repo, applicable=False, reason="dependency_install_failed"))
    assert (diff, meta.outcome, meta.guardrails.decision) == ("", "not_applicable", "not_run")


def test_a_locator_not_written_literally_is_not_guessed(repo: Path, tmp_path: Path) -> None:
    (repo / "e2e" / "test_app.py").write_text(
        TEST_FILE.replace('page.locator("#new-project-btn")', "page.locator(SELECTOR)")
    )
    commit_all(repo, "selector in a constant")
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out")
    diff, meta = agent.run(fix_input(repo, CREATE))
    assert (diff, meta.outcome) == ("", "abstained")
    assert meta.heals[0].outcome == "abstain_source_not_found"
    # the heal itself was found and stays in view
    assert meta.heals[0].reason.startswith(
        'the healer\'s answer: get_by_role("link", name="New project")'
    )
    assert meta.heals[0].replacement == 'get_by_role("link", name="New project")'


def test_a_failure_without_a_snapshot_is_not_healed(repo: Path, tmp_path: Path) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out")
    diff, meta = agent.run(fix_input(repo, CREATE.model_copy(update={"snapshot": ""})))
    assert (diff, meta.heals[0].outcome) == ("", "abstain_no_snapshot")


def test_the_python_running_the_rerun_is_this_one(repo: Path, tmp_path: Path) -> None:
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out")
    _, meta = agent.run(fix_input(repo, CREATE))
    assert meta.validation.command[0] == sys.executable


# --- R5: adversarial patches applied for real on the worktree --------------------------------

OTHER_FILES = {
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    "agent-engine.toml": "[fix_agent]\nvalidation_runs = 3\n",
    "CODEOWNERS": "* @team\n",
    "docs/CODEOWNERS": "* @docs\n",
    "package-lock.json": '{"lockfileVersion": 3}\n',
    "web/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "poetry.lock": "# poetry\n",
    "uv.lock": "version = 1\n",
    "requirements.txt": "httpx==0.28.1\n",
    "app/main.py": "def answer() -> int:\n    return 42\n",
    "e2e/shot.png": "",
}
T = "e2e/test_app.py"
Mutation = Callable[[Path], object]


def edit(path: str, old: str, new: str) -> Mutation:
    def mutate(root: Path) -> None:
        target = root / path
        text = target.read_text()
        assert old in text, (path, old)
        target.write_text(text.replace(old, new, 1))

    return mutate


def add(path: str, content: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)

    return mutate


def run_git(*args: str) -> Mutation:
    return lambda root: git(list(args), root)


def symlink(path: str, to: str) -> Mutation:
    def mutate(root: Path) -> None:
        (root / path).unlink(missing_ok=True)
        (root / path).symlink_to(to)

    return mutate


def handwritten(path: str) -> str:
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        "@@ -0,0 +1 @@\n+owned\n"
    )


MANY_LINES = "".join(f"    # step {i}\n" for i in range(12))
R5_CASES = [
    (
        "workflow edit",
        edit(".github/workflows/ci.yml", "push", "pull_request_target"),
        "protected_path",
    ),
    ("workflow added", add(".github/workflows/evil.yml", "on: push\n"), "protected_path"),
    ("config edit", edit("agent-engine.toml", "= 3", "= 0"), "protected_path"),
    ("codeowners", edit("CODEOWNERS", "@team", "@me"), "protected_path"),
    ("codeowners, nested", edit("docs/CODEOWNERS", "@docs", "@me"), "protected_path"),
    ("env file", add(".env", "TOKEN=x\n"), "protected_path"),
    ("env file, nested", add("e2e/.env.local", "TOKEN=x\n"), "protected_path"),
    ("npm lockfile", edit("package-lock.json", "3", "2"), "protected_path"),
    ("pnpm lockfile", edit("web/pnpm-lock.yaml", "9.0", "6.0"), "protected_path"),
    ("poetry lockfile", edit("poetry.lock", "poetry", "edited"), "protected_path"),
    ("uv lockfile", edit("uv.lock", "1", "2"), "protected_path"),
    ("requirements", edit("requirements.txt", "0.28.1", "0.1"), "protected_path"),
    ("app code", edit("app/main.py", "42", "41"), "path_not_allowed"),
    ("symlink added", symlink("e2e/link", "../agent-engine.toml"), "symlink"),
    ("file made a symlink", symlink("e2e/pages.py", "/etc/passwd"), "symlink"),
    ("binary added", add("e2e/shot2.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "binary_file"),
    ("binary changed", add("e2e/shot.png", b"\x00\x01\x02"), "binary_file"),
    ("mode change", lambda root: (root / T).chmod(0o755), "mode_change"),
    ("deletion", run_git("rm", "-q", "e2e/pages.py"), "deletion"),
    ("rename", run_git("mv", "e2e/pages.py", "e2e/page_objects.py"), "rename"),
    ("oversize", edit(T, '    page.goto("/projects")\n', MANY_LINES), "too_many_lines"),
    (
        "two files",
        lambda r: [add("e2e/a.py", "x = 1\n")(r), add("e2e/b.py", "y = 1\n")(r)],
        "too_many_files",
    ),
    ("skip marker", edit(T, "def test_create", "@pytest.mark.skip\ndef test_create"), "added_skip"),
    ("xfail marker", edit(T, "def test_rows", "@pytest.mark.xfail\ndef test_rows"), "added_skip"),
    ("skip call", edit(T, '    page.goto("/projects")', '    pytest.skip("later")'), "added_skip"),
    (
        "removed assertion",
        edit(T, '    expect(page.locator("p.description")).to_have_text("Done")\n', ""),
        "removed_assertion",
    ),
    (
        "assertion made a no-op",
        edit(T, '    expect(listed.filter(has_text="Apollo")).to_be_visible()', "    pass"),
        "removed_assertion",
    ),
    ("loosened assertion", edit(T, "to_have_text", "to_contain_text"), "changed_assertion"),
    (
        "raised timeout",
        edit(T, "set_default_timeout(5000)", "set_default_timeout(60000)"),
        "raised_timeout",
    ),
    ("added timeout", edit(T, "button.click()", "button.click(timeout=90_000)"), "raised_timeout"),
]


def propose(repo: Path, tmp_path: Path, mutate: Mutation) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    scratch = tmp_path / "scratch"
    git(["clone", "-q", str(repo), str(scratch)], tmp_path)
    mutate(scratch)
    git(["add", "-A"], scratch)
    return git(["diff", "--cached", "--binary", "-M", "--full-index"], scratch)


@pytest.fixture
def full_repo(repo: Path) -> Path:
    for path, content in OTHER_FILES.items():
        add(path, content if content else b"\x89PNG\x00\x01")(repo)
    commit_all(repo, "the rest of the repository")
    return repo


@pytest.mark.parametrize(("name", "mutate", "rule"), R5_CASES, ids=[c[0] for c in R5_CASES])
def test_r5_adversarial_patches_are_refused_and_the_worktree_is_clean(
    full_repo: Path,
    tmp_path: Path,
    name: str,
    mutate: Mutation,
    rule: str,
) -> None:
    proposal = propose(full_repo, tmp_path, mutate)
    assert proposal, name
    agent = FixAgent(settings_for(tmp_path), full_repo, tmp_path / "out")
    diff, meta = agent.run(fix_input(full_repo), proposal=proposal)
    assert diff == ""
    assert meta.outcome == "refused"
    assert rule in {v.rule for v in meta.guardrails.violations}, meta.guardrails.violations
    assert meta.guardrails.worktree_clean
    assert status(full_repo) == "w"  # the checkout untouched, the worktree gone
    assert not (tmp_path / "runs").exists()  # refused patches are never run


@pytest.mark.parametrize(
    ("patch", "rule"),
    [
        (handwritten("../outside.py"), "path_outside_repo"),
        (handwritten("e2e/../../outside.py"), "path_outside_repo"),
        (handwritten("/etc/cron.d/x").replace("a//etc", "a/etc"), "path_outside_repo"),
        (
            "diff --git a/e2e/pages.py b/e2e/pages.py\n--- a/e2e/pages.py\n+++ b/e2e/pages.py\n"
            "@@ -1,1 +1,1 @@\n-not what is there\n+x\n",
            "patch_does_not_apply",
        ),
    ],
)
def test_r5_patches_git_will_not_apply_are_refused_too(
    full_repo: Path, tmp_path: Path, patch: str, rule: str
) -> None:
    agent = FixAgent(settings_for(tmp_path), full_repo, tmp_path / "out")
    diff, meta = agent.run(fix_input(full_repo), proposal=patch)
    assert (diff, meta.outcome) == ("", "refused")
    assert rule in {v.rule for v in meta.guardrails.violations}
    assert meta.guardrails.worktree_clean
    assert status(full_repo) == "w"
    assert not (full_repo.parent / "outside.py").exists()


def test_r5_counts_at_least_thirty_real_patches() -> None:
    assert len(R5_CASES) + 4 >= 30


def test_a_plain_proposed_locator_fix_is_validated(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    proposal = propose(
        repo,
        tmp_path,
        edit(T, 'locator("#new-project-btn")', 'get_by_role("link", name="New project")'),
    )
    agent = FixAgent(settings_for(tmp_path), repo, tmp_path / "out", classifier)
    diff, meta = agent.run(fix_input(repo, CREATE), proposal=proposal)
    assert meta.outcome == "validated", meta.reason
    assert diff == proposal
    assert meta.strategy == "proposed_patch"


def test_git_ignored_folders_the_suite_needs_are_copied_in_and_stay_untouched(
    repo: Path, tmp_path: Path, classifier: Classifier
) -> None:
    (repo / ".gitignore").write_text("fix-agent/\ndata/\n")
    commit_all(repo, "ignore the data folder")
    (repo / "data").mkdir()
    (repo / "data" / "users.json").write_text("{}")
    honest = propose(
        repo,
        tmp_path / "a",
        edit(T, 'locator("#new-project-btn")', 'get_by_role("link", name="New project")'),
    )
    needs = {"env": {"CHECK_NEEDS": "data/users.json"}}
    without = FixAgent(settings_for(tmp_path, **needs), repo, tmp_path / "out1", classifier)
    _, meta = without.run(fix_input(repo, CREATE), proposal=honest)
    assert meta.outcome == "needs_manual_review"  # the suite cannot run without its data
    assert "missing (never ran)" in meta.validation.reason

    settings = settings_for(tmp_path, worktree_copy=["data"], **needs)
    diff, meta = FixAgent(settings, repo, tmp_path / "out2", classifier).run(
        fix_input(repo, CREATE), proposal=honest
    )
    assert meta.outcome == "validated", meta.reason
    assert "data/" not in diff

    def rewrite_data(root: Path) -> None:
        edit(T, 'locator("#new-project-btn")', 'get_by_role("link", name="New project")')(root)
        add("data/boost.py", "import os\n")(root)
        git(["add", "-f", "data/boost.py"], root)

    hostile = propose(repo, tmp_path / "b", rewrite_data)
    diff, meta = FixAgent(settings, repo, tmp_path / "out3", classifier).run(
        fix_input(repo, CREATE), proposal=hostile
    )
    assert meta.outcome == "refused"
    assert "ignored_file" in {v.rule for v in meta.guardrails.violations}
    assert (repo / "data" / "users.json").read_text() == "{}"


def test_the_last_passing_runs_page_tells_which_element_a_locator_meant(repo: Path) -> None:
    """A renamed link nothing in the failing page ties to its old id: the page of the last
    passing run, where the id still stood on it, does; a page of another step is passed over."""
    after = (
        '<main><a class="btn" href="/projects/new" data-kind="create">Start something</a> '
        '<a class="btn" href="/help">Help</a></main>'
    )
    before = after.replace('data-kind="create"', 'data-kind="create" id="new-project-btn"')
    other_step = "<main><h1>Sign in</h1><button>Sign in</button></main>"
    digests = {"b" * 64: other_step, "c" * 64: before}
    target = CREATE.model_copy(update={"baselines": list(digests)})
    alone: list[HealRecord] = []
    assert plan(fix_input(repo, CREATE, html=after), repo, alone) == []
    assert alone[0].outcome == "abstain_low_score"
    heals: list[HealRecord] = []
    given = fix_input(repo, target, html=after)
    given = given.model_copy(update={"snapshots": {**given.snapshots, **digests}})
    [change] = plan(given, repo, heals)
    assert heals[0].outcome == "healed"
    assert heals[0].replacement == 'get_by_role("link", name="Start something")'
    assert "last passing run" in heals[0].reason
    assert (change.site.text, change.after) == (
        'locator("#new-project-btn")',
        'get_by_role("link", name="Start something")',
    )
