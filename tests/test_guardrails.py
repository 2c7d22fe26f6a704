"""R5: adversarial patches are refused with the rule named; a plain locator fix passes."""

from __future__ import annotations

import pytest

from agent_engine.guardrails import GuardrailPolicy, Violation, check

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
    ("agent code", diff("agent_engine/redact.py", ["a"], ["b"])),
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
    ("added skip mark", diff(TEST, [], ["@pytest.mark.skip(reason='flaky')"])),
    ("added xfail", diff(TEST, [], ["@pytest.mark.xfail"])),
    ("added skip call", diff(TEST, [], ["    pytest.skip('later')"])),
    ("added fixme", diff("tests/e2e/login.spec.ts", [], ["test.fixme('login', async () => {"])),
    ("added only", diff("tests/e2e/login.spec.ts", [], ["test.only('login', async () => {"])),
    (
        "removed assertion",
        diff(TEST, ['    expect(page.locator(".task-item")).to_have_count(3)'], []),
    ),
    ("removed plain assert", diff(TEST, ["    assert health.ok"], ["    health.ok"])),
    (
        "loosened assertion",
        diff(
            TEST,
            ['    expect(title).to_have_text("Apollo")'],
            ['    expect(title).to_contain_text("Apollo")'],
        ),
    ),
    (
        "raised timeout",
        diff(TEST, ["    page.click('#a', timeout=5000)"], ["    page.click('#a', timeout=60000)"]),
    ),
    (
        "added timeout",
        diff(TEST, ["    page.click('#a')"], ["    page.click('#a', timeout=90_000)"]),
    ),
    (
        "raised default timeout",
        diff(
            TEST, ["    page.set_default_timeout(5000)"], ["    page.set_default_timeout(120000)"]
        ),
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


def test_there_are_at_least_thirty() -> None:
    assert len(ADVERSARIAL) >= 30


@pytest.mark.parametrize(
    ("patch", "rule"),
    [
        (ADVERSARIAL[0][1], "protected_path"),
        (ADVERSARIAL[11][1], "path_outside_repo"),
        (ADVERSARIAL[16][1], "symlink"),
        (ADVERSARIAL[17][1], "binary_file"),
        (ADVERSARIAL[19][1], "mode_change"),
        (ADVERSARIAL[20][1], "deletion"),
        (ADVERSARIAL[21][1], "rename"),
        (ADVERSARIAL[22][1], "too_many_lines"),
        (ADVERSARIAL[23][1], "too_many_files"),
        (ADVERSARIAL[24][1], "added_skip"),
        (ADVERSARIAL[29][1], "removed_assertion"),
        (ADVERSARIAL[31][1], "loosened_assertion"),
        (ADVERSARIAL[32][1], "raised_timeout"),
        (ADVERSARIAL[14][1], "path_not_allowed"),
        (ADVERSARIAL[-1][1], "unreadable_patch"),
    ],
)
def test_each_rule_is_named(patch: str, rule: str) -> None:
    assert rule in {v.rule for v in check(patch, POLICY)}


def test_caps_depend_on_the_fix_class() -> None:
    two_files = LOCATOR_FIX + diff("sample_app/e2e/test_tasks.py", ["a = 1"], ["a = 2"])
    assert [v.rule for v in check(two_files, POLICY, "locator")] == ["too_many_files"]
    assert check(two_files, POLICY, "test") == []
