"""Write a commented agent-engine.toml for this repository from what it shows:
agent-engine init [--root DIR] [--out FILE] [--force]

It reads (never runs) the repository: where the Playwright tests and page objects are, the
pytest configuration, the web framework and how to start it, the port the tests point at,
git-ignored folders the suite may need. Check the result with `agent-engine doctor`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from agent_engine.cli.boundary import guarded
from agent_engine.cli.survey import Survey, survey
from agent_engine.errors import InputError
from agent_engine.fix.worktree import git
from agent_engine.settings import load_settings


def _toml(value: object) -> str:
    return json.dumps(value)


def render(found: Survey) -> str:
    """The agent-engine.toml text, each choice commented with what it was read from."""
    lines = [
        "# agent-engine.toml, written by `agent-engine init` from what this repository shows.",
        "# Check it against this machine with `agent-engine doctor`. Commands are argv lists;",
        "# placeholders: {python}, {base_url}, {tests} (test ids), {checkout}, {junit}.",
        f"# Playwright tests: {len(found.playwright_tests)} file(s) in "
        + (", ".join(found.test_dirs) or "no folder found"),
        f"# pytest configuration: {found.pytest_config or 'none found (pytest defaults)'}",
        "",
    ]
    base_url = f"http://127.0.0.1:{found.port}"
    if found.remote_urls:
        lines += [
            f"# The suite opens {', '.join(found.remote_urls)}: a deployed site, not the app",
            "# started for the run. Point it at [app] base_url (an environment variable read by",
            "# its conftest) to test the checkout, or leave [app] out to test the deployed site.",
            "",
        ]
    lines += _app_section(found, base_url)
    lines += _e2e_section(found)
    lines += _fix_section(found)
    return "\n".join(lines) + "\n"


def _app_section(found: Survey, base_url: str) -> list[str]:
    if found.starts_own_app:
        seen = f" ({found.app.framework}, {found.app.where})" if found.app else ""
        return [f"# No [app]: the suite starts the app{seen} itself (a live server).", ""]
    if found.app is None:
        return [
            "# No web app found to start (no Django manage.py, FastAPI, Starlette or Flask app).",
            "# Say how to start yours, or leave [app] out if the suite starts it itself:",
            "# [app]",
            '# start = ["{python}", "-m", "yourapp", "--port", "8000"]',
            f'# base_url = "{base_url}"',
            f'# health_url = "{base_url}/"',
            "",
        ]
    app = found.app
    start = [a.replace("{port}", str(found.port)) for a in app.start]
    lines = [
        f"# {app.framework} app found in {app.where}; the tests point at port {found.port}.",
        "[app]",
        f"start = {_toml(start)}",
    ]
    if app.migrate:
        lines.append(f"migrate = {_toml(app.migrate)}")
    lines += [
        "# seed = [...]          # how to load the data the suite expects, if any",
        f"base_url = {_toml(base_url)}",
        f"health_url = {_toml(base_url + '/')}",
        'log = "out/app.log"',
    ]
    if _sub_project(found):
        lines.append(f"env = {{ PYTHONPATH = {_toml(found.project)} }}")
    return [*lines, ""]


def _sub_project(found: Survey) -> bool:
    """The project sits in a sub-folder of the repository (not the tests' own folder)."""
    return bool(found.project) and found.project not in found.test_dirs


def _pytest(found: Survey) -> list[str]:
    argv = ["{python}", "-m", "pytest"]
    if found.pytest_config:
        argv += ["-c", found.pytest_config, "--rootdir", found.project or "."]
    return argv


def _writes_app(found: Survey) -> bool:
    return found.app is not None and not found.starts_own_app


def _e2e_section(found: Survey) -> list[str]:
    # the app's address for pytest-playwright's base_url, only when [app] says what it is
    # (an empty one would break the suite's own `base_url` and every relative goto)
    fixtures = ["--base-url", "{base_url}"] if found.uses_fixtures and _writes_app(found) else []
    out = ["--output", "out/e2e/test-results"] if found.uses_fixtures else []
    run = [*_pytest(found), *fixtures, "--junitxml", "out/e2e/junit.xml", *out]
    subset = [*_pytest(found), *fixtures, "--junitxml", "out/e2e/rerun-junit.xml", *out]
    kinds = [
        *(["pytest-playwright's fixtures"] if found.uses_fixtures else []),
        *(["browsers the tests launch themselves"] if found.launches_browser else []),
    ]
    lines = [
        f"# The suite ({' and '.join(kinds) or 'pytest'}); its output is kept for the classifier.",
        "[e2e]",
        f"run = {_toml([*run, *(found.test_dirs or ['.'])])}",
        f"run_subset = {_toml([*subset, '{tests}'])}",
        'junit = "out/e2e/junit.xml"',
        'rerun_junit = "out/e2e/rerun-junit.xml"',
        'log = "out/e2e/test-output.log"',
        'output = "out/e2e/test-results"',
    ]
    if found.uses_fixtures and not fixtures:
        lines.insert(1, '# With an [app], add "--base-url", "{base_url}" to run and run_subset.')
    env = {**({"PYTHONPATH": found.project} if _sub_project(found) else {})}
    if found.app and found.app.env:
        lines.insert(1, f"# {found.app.framework}'s tests run under pytest with pytest-django.")
        env |= found.app.env
    if env:
        lines.append("env = { " + ", ".join(f"{k} = {_toml(v)}" for k, v in env.items()) + " }")
    return [*lines, ""]


def _fix_section(found: Survey) -> list[str]:
    allowed = [f"{d}/**/*.py" if d not in ("", ".") else "**/test_*.py" for d in found.test_dirs]
    allowed += [
        p for p in found.page_objects if not any(p.startswith(d + "/") for d in found.test_dirs)
    ]
    lines = []
    if found.runtime_dirs:
        lines += [
            "# Git-ignored folders of this checkout the suite may need, copied into the",
            "# worktree where a patch is validated (it holds only tracked files).",
            "[fix_agent]",
            f"worktree_copy = {_toml(found.runtime_dirs)}",
            "",
        ]
    lines += [
        "# The fix agent may edit the Playwright tests and their page objects"
        + (f": {', '.join(found.page_objects)}" if found.page_objects else "")
        + ".",
        "# Workflows, this file, lockfiles and what configures a run (conftest.py, pytest.ini,",
        "# ...) stay protected whatever this says.",
        "[fix_agent.guardrails]",
        f"allowed = {_toml(allowed or ['**/tests/**/*.py'])}",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="agent-engine init",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, default=None, help="default: this git checkout")
    parser.add_argument("--out", type=Path, default=None, help="default: <root>/agent-engine.toml")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args(argv)
    return guarded(lambda: _init(args))


def _init(args: argparse.Namespace) -> int:
    start = args.root or Path.cwd()
    root = Path(git(["rev-parse", "--show-toplevel"], start).strip())
    out = args.out or root / "agent-engine.toml"
    if out.exists() and not args.force:
        raise InputError(f"{out} exists", next_step="pass --force to overwrite it")
    found = survey(root)
    text = render(found)
    out.write_text(text, encoding="utf-8")
    load_settings(out)  # what init writes must load
    app = f"{found.app.framework} ({found.app.where})" if found.app else "none found"
    print(
        f"init: {len(found.playwright_tests)} Playwright test file(s) in "
        f"{', '.join(found.test_dirs) or 'no folder'}; app: {app}; "
        f"page objects: {len(found.page_objects)}; wrote {out}"
    )
    print("init: next, `agent-engine doctor` checks it against this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
