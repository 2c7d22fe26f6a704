"""R5: adversarial patches are refused with the rule named; a plain locator fix passes."""

from __future__ import annotations

import pytest

from agent_engine.fix.guardrails import RULES, Violation, check, matches, plugin_paths, report
from agent_engine.settings import ALLOWED, PROTECTED, GuardrailPolicy

POLICY = GuardrailPolicy()
TEST = "sample_app/e2e/test_projects.py"


def diff(
    path: str, removed: list[str], added: list[str], header: str = "", old: str = "", new: str = ""
) -> str:
    """A git-style unified diff of one hunk."""
    old, new = old or f"a/{path}", new or f"b/{path}"
    body = [f" context line {i}" for i in range(2)]
    lines = body + [f"-{r}" for r in removed] + [f"+{a}" for a in added] + body
    hunk = f"@@ -1,{len(body) * 2 + len(removed)} +1,{len(body) * 2 + len(added)} @@\n"
    return (
        f"diff --git {old} {new}\n{header}--- {old}\n+++ {new}\n" + hunk + "\n".join(lines) + "\n"
    )


LOCATOR_FIX = diff(
    TEST,
    ['    page.locator("#new-project-btn").click()'],
    ['    page.get_by_role("link", name="New project").click()'],
)
MANY = "\n".join(f"x{i} = {i}" for i in range(30)).splitlines()

ADVERSARIAL: list[tuple[str, str]] = [
    (
        "workflow edit",
        diff(".github/workflows/agent-engine.yml", ["  run: pytest"], ["  run: true"]),
    ),
    ("workflow edit, nested", diff(".github/actions/setup/action.yml", ["a"], ["b"])),
    ("config edit", diff("agent-engine.toml", ["x = 1"], ["x = 2"])),
    ("codeowners", diff("CODEOWNERS", ["* @team"], ["* @me"])),
    ("codeowners, nested", diff("docs/CODEOWNERS", ["* @team"], ["* @me"])),
    ("env file", diff(".env", ["A=1"], ["A=2"])),
    ("env file, nested", diff("sample_app/.env.local", ["A=1"], ["A=2"])),
    ("lockfile npm", diff("package-lock.json", ['"a": 1'], ['"a": 2'])),
    ("lockfile poetry", diff("poetry.lock", ["a"], ["b"])),
    ("lockfile pnpm", diff("web/pnpm-lock.yaml", ["a"], ["b"])),
    ("requirements", diff("requirements.txt", ["httpx==1"], ["httpx==2"])),
    ("parent path", diff("../outside.py", ["a"], ["b"])),
    ("parent path, deep", diff("sample_app/e2e/../../../etc/passwd", ["a"], ["b"])),
    ("absolute path", diff("tmp/x.py", ["a"], ["b"], old="a//etc/passwd", new="b//etc/passwd")),
    ("app code", diff("sample_app/app.py", ["return 1"], ["return 2"])),
    ("agent code", diff("agent_engine/triage/redact.py", ["a"], ["b"])),
    (
        "symlink",
        "diff --git a/sample_app/e2e/link b/sample_app/e2e/link\nnew file mode 120000\n"
        "index 0000000..1111111\n--- /dev/null\n+++ b/sample_app/e2e/link\n@@ -0,0 +1 @@\n"
        "+../../agent-engine.toml\n\\ No newline at end of file\n",
    ),
    (
        "binary",
        "diff --git a/sample_app/e2e/shot.png b/sample_app/e2e/shot.png\nnew file mode "
        "100644\nindex 0000000..1111111\nBinary files /dev/null and b/sample_app/e2e/shot.png "
        "differ\n",
    ),
    (
        "git binary patch",
        "diff --git a/sample_app/e2e/x.bin b/sample_app/e2e/x.bin\n"
        "index 1111111..2222222 100644\nGIT binary patch\nliteral 4\nLcmZQzU|<9Q00aO5\n\n",
    ),
    ("mode change", f"diff --git a/{TEST} b/{TEST}\nold mode 100644\nnew mode 100755\n"),
    (
        "deletion",
        f"diff --git a/{TEST} b/{TEST}\ndeleted file mode 100644\nindex 1111111.."
        f"0000000\n--- a/{TEST}\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-import pytest\n-x = 1\n",
    ),
    (
        "rename",
        f"diff --git a/{TEST} b/sample_app/e2e/test_renamed.py\nsimilarity index 100%\n"
        f"rename from {TEST}\nrename to sample_app/e2e/test_renamed.py\n",
    ),
    ("oversize lines", diff(TEST, [], MANY)),
    ("oversize files", LOCATOR_FIX + diff("sample_app/e2e/test_tasks.py", ["a = 1"], ["a = 2"])),
    ("conftest", diff("sample_app/e2e/conftest.py", ["x = 1"], ["x = 2"])),
    (
        "pytest.ini",
        diff("sample_app/e2e/pytest.ini", ["addopts = -ra"], ["addopts = --collect-only"]),
    ),
    ("tox.ini", diff("tox.ini", ["[pytest]"], ["[pytest]\naddopts = --timeout 600"])),
    ("setup.cfg", diff("setup.cfg", ["a"], ["b"])),
    ("pyproject", diff("pyproject.toml", ["a"], ["b"])),
    ("playwright config", diff("web/playwright.config.ts", ["retries: 0"], ["retries: 5"])),
    ("package.json", diff("web/package.json", ['"a": 1'], ['"a": 2'])),
    ("pth file", diff("sample_app/e2e/evil.pth", [], ["import os"])),
    ("gitignore", diff(".gitignore", ["out/"], ["sample_app/e2e/cache/"])),
    (
        "submodule",
        "diff --git a/sample_app/e2e/sub b/sample_app/e2e/sub\nnew file mode 160000\n"
        "index 0000000..1111111\n--- /dev/null\n+++ b/sample_app/e2e/sub\n@@ -0,0 +1 @@\n"
        "+Subproject commit 1111111111111111111111111111111111111111\n",
    ),
    ("not a diff", "this is not a patch at all\n"),
]


def test_a_plain_locator_fix_passes() -> None:
    assert check(LOCATOR_FIX, POLICY) == []
    assert check("", POLICY) == []


@pytest.mark.parametrize(("name", "patch"), ADVERSARIAL, ids=[n for n, _ in ADVERSARIAL])
def test_r5_adversarial_patches_are_refused_with_the_rule_named(name: str, patch: str) -> None:
    violations = check(patch, POLICY)
    assert violations, f"{name} passed the guardrails"
    assert all(
        isinstance(v, Violation) and v.rule and v.threshold and v.observed for v in violations
    )


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("workflow edit", "protected_path"),
        ("parent path", "path_outside_repo"),
        ("symlink", "symlink"),
        ("binary", "binary_file"),
        ("mode change", "mode_change"),
        ("deletion", "deletion"),
        ("rename", "rename"),
        ("oversize lines", "too_many_lines"),
        ("oversize files", "too_many_files"),
        ("app code", "path_not_allowed"),
        ("conftest", "protected_path"),
        ("pytest.ini", "protected_path"),
        ("playwright config", "protected_path"),
        ("pth file", "protected_path"),
        ("gitignore", "protected_path"),
        ("submodule", "submodule"),
        ("not a diff", "unreadable_patch"),
    ],
)
def test_each_rule_is_named(name: str, rule: str) -> None:
    patch = dict(ADVERSARIAL)[name]
    assert rule in {v.rule for v in check(patch, POLICY)}


def test_caps_depend_on_the_fix_class() -> None:
    two_files = LOCATOR_FIX + diff("sample_app/e2e/test_tasks.py", ["a = 1"], ["a = 2"])
    assert [v.rule for v in check(two_files, POLICY, "locator")] == ["too_many_files"]
    assert check(two_files, POLICY, "test") == []


def test_the_config_adds_protected_paths_and_never_removes_one() -> None:
    policy = GuardrailPolicy(allowed=["**"], protected=["docs/**"])
    assert set(PROTECTED) < set(policy.protected_paths())
    assert "docs/**" in policy.protected_paths()
    for path in (".github/workflows/ci.yml", "docs/x.py", "sub/conftest.py", "a/b/pytest.ini"):
        assert "protected_path" in {v.rule for v in check(diff(path, ["a"], ["b"]), policy)}
    assert check(diff("src/app.py", ["a"], ["b"]), policy) == []


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("tests/e2e/test_login.py", True),
        ("e2e/pages/login.py", True),
        ("sample_app/e2e/pages.py", True),
        ("app/tests/page_objects/cart.py", True),
        ("test_smoke.py", True),
        ("src/checkout_test.py", True),
        ("web/src/pages/api/pay.ts", False),
        ("myapp/pages/views.py", False),
        ("tests/e2e/fixtures/users.json", False),
        ("src/app.py", False),
    ],
)
def test_the_default_allow_list_is_test_files_and_page_objects(path: str, allowed: bool) -> None:
    assert matches(path, ALLOWED) is allowed


def test_globs_read_as_git_reads_them() -> None:
    assert matches("a/b/c.lock", ["*.lock"])
    assert matches("CODEOWNERS", ["CODEOWNERS"])
    assert matches("docs/CODEOWNERS", ["CODEOWNERS"])
    assert matches("sample_app/e2e/x/y.py", ["sample_app/e2e/**"])
    assert not matches("sample_app/e2e.py", ["sample_app/e2e/**"])
    assert not matches("src/x/y.py", ["src/*.py"])
    assert matches("src/y.py", ["src/*.py"])


def test_plugins_named_by_a_run_are_protected_wherever_they_are_named() -> None:
    globs = plugin_paths(
        [
            "[pytest]\naddopts = -ra -p no:cacheprovider -p e2e.cache.boost --strict-markers",
            "python -m pytest -pfast_plugin tests",
            '["-p", "quoted"]',
        ],
        [b'pytest_plugins = ["helpers.auth", "helpers.data"]\n', b"def broken(:\n"],
    )
    for module in ("e2e/cache/boost", "fast_plugin", "quoted", "helpers/auth", "helpers/data"):
        assert f"**/{module}.py" in globs
        assert f"**/{module}/**" in globs
    assert not any("cacheprovider" in g for g in globs)
    policy = GuardrailPolicy(allowed=["**"], protected=globs)
    hidden = diff("sample_app/e2e/cache/boost.py", [], ["x = 1"])
    assert "protected_path" in {v.rule for v in check(hidden, policy)}


def test_the_structure_is_judged_when_the_sources_are_given() -> None:
    before = b'def test_a(page):\n    expect(page.locator("#a")).to_be_visible()\n'
    after = before.replace(b"to_be_visible", b"not_to_be_visible")
    patch = diff(
        TEST,
        ['    expect(page.locator("#a")).to_be_visible()'],
        ['    expect(page.locator("#a")).not_to_be_visible()'],
    )
    assert check(patch, POLICY) == []  # without the files, only paths and sizes
    found = check(patch, POLICY, "locator", {TEST: (before, after)})
    assert {v.rule for v in found} == {"structure_changed", "changed_assertion"}
    assert all(v.path == TEST and v.observed.startswith("line 2: ") for v in found)


def test_a_new_or_non_python_file_is_refused_for_locator_and_test_fixes() -> None:
    new_file = handwritten_new("sample_app/e2e/test_new.py")
    json_file = diff("sample_app/e2e/data.json", ['"a": 1'], ['"a": 2'])
    added = {"sample_app/e2e/test_new.py": (None, b"def test_x():\n    pass\n")}
    for fix_class in ("locator", "test"):
        assert "added_file" in {v.rule for v in check(new_file, POLICY, fix_class, added)}
        assert "unverifiable_file" in {v.rule for v in check(json_file, POLICY, fix_class, {})}
    backend = GuardrailPolicy(allowed=["**"])
    app = diff("src/app.py", ["return 1"], ["return 2"])
    assert check(app, backend, "backend", {"src/app.py": (b"return 1\n", b"return 2\n")}) == []
    spec = diff("web/e2e/login.spec.ts", ["a"], ["b"])
    assert "unverifiable_file" in {v.rule for v in check(spec, backend, "backend", {})}


def test_the_report_lists_every_rule_with_its_outcome() -> None:
    found = check(dict(ADVERSARIAL)["conftest"], POLICY)
    rows = {r.rule: r for r in report(found, dict(ADVERSARIAL)["conftest"], POLICY)}
    assert set(RULES) <= set(rows)
    assert rows["protected_path"].decision == "refuse"
    assert rows["too_many_files"].observed == "1"
    assert {r.decision for r in rows.values() if r.rule != "protected_path"} == {"pass"}


def handwritten_new(path: str) -> str:
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        "@@ -0,0 +1 @@\n+def test_x():\n"
    )
