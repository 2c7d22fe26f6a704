"""python -m tools.pr_comment: render from the run's artifacts, and post against a recording
fake of GitHub's REST API on loopback (create, update in place, pagination, someone else's
comment left alone, a 502 then success, checks before anything is posted)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

from agent_engine.cli.comment import main
from agent_engine.report.comment import MARKER
from tests.builders import write_run_artifacts
from tests.fakes.github import BOT, FakeGitHub
from tests.fakes.loopback import serve_asgi

TOKEN = "ghs_" + "x" * 36
ROOT = Path(__file__).resolve().parents[2]
JUNIT = ROOT / "tests/fixtures/corpus/locator_not_found/sample-app-drift_id/junit.xml"


@pytest.fixture
def rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """comment/ as the pull_request run leaves it."""
    env = {"GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "4242", "GITHUB_JOB": "e2e-tests",
           "GITHUB_SHA": "0" * 40, "GITHUB_REF": "refs/pull/7/merge",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    write_run_artifacts(tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = ["render", "--junit", str(JUNIT), "--config", str(ROOT / "agent-engine.toml")]
    assert main([*argv, "--pages-url", "https://acme.github.io/shop/"]) == 0
    return tmp_path / "comment"


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    """Retries without the waits (stamina's testing mode keeps the number of attempts)."""
    with stamina.set_testing(True, attempts=5):
        yield


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    with serve_asgi(fake.app()) as url:
        monkeypatch.setenv("GITHUB_API_URL", url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        yield fake


def post(rendered: Path, *extra: str) -> int:
    return main(["post", "--comment-dir", str(rendered), *extra])


def test_render_writes_the_comment_its_target_and_the_job_summary(rendered: Path) -> None:
    body = (rendered / "comment.md").read_text()
    assert body.startswith(MARKER)
    assert "#### New failures caused by this change" in body
    assert "#### A fix patch is ready" in body
    assert "https://acme.github.io/shop/runs/acme~shop~4242~1~e2e-tests.html" in body
    assert json.loads((rendered / "comment.json").read_text()) == {
        "repository": "acme/shop", "pr_number": 7, "run_id": "4242"
    }  # fmt: skip
    assert body in (rendered.parent / "summary.md").read_text()


def test_post_creates_then_updates_in_place(
    rendered: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert post(rendered) == 0
    [comment] = github.comments[7]
    assert comment["body"] == (rendered / "comment.md").read_text()
    (rendered / "comment.md").write_text(MARKER + "\nnewer\n")
    assert post(rendered) == 0
    assert [c["body"] for c in github.comments[7]] == [MARKER + "\nnewer\n"]
    assert [r.method for r in github.requests] == ["GET", "POST", "GET", "PATCH"]
    assert post(rendered) == 0  # the same text again: nothing written
    assert [r.method for r in github.requests][-1] == "GET"
    out = capsys.readouterr()
    assert "created comment" in out.out
    assert "updated comment" in out.out
    assert "unchanged comment" in out.out
    assert TOKEN not in out.out + out.err
    assert {r.authorization for r in github.requests} == {f"Bearer {TOKEN}"}


def test_post_follows_pagination_to_find_its_comment(rendered: Path, github: FakeGitHub) -> None:
    for i in range(230):
        github.add(7, f"comment {i}", login=f"user{i % 7}")
    mine = github.add(7, MARKER + "\nold", login=BOT)
    assert post(rendered) == 0
    pages = [r.query for r in github.requests if r.method == "GET"]
    assert pages == ["per_page=100", "per_page=100&page=2", "per_page=100&page=3"]
    assert [r.path for r in github.requests if r.method == "PATCH"] == [
        f"/repos/acme/shop/issues/comments/{mine}"
    ]
    assert len(github.comments[7]) == 231


def test_someone_elses_comment_with_the_marker_is_left_alone(
    rendered: Path, github: FakeGitHub
) -> None:
    theirs = github.add(7, MARKER + "\nI copied your marker", login="mallory")
    assert post(rendered) == 0
    assert [c["body"] for c in github.comments[7] if c["id"] == theirs] == [
        MARKER + "\nI copied your marker"
    ]
    assert [r.method for r in github.requests] == ["GET", "POST"]


def test_a_502_then_success(rendered: Path, github: FakeGitHub) -> None:
    github.fail_next = [502, 502]
    assert post(rendered) == 0
    assert [r.method for r in github.requests] == ["GET", "GET", "GET", "POST"]
    assert len(github.comments[7]) == 1


def test_github_down_for_good_is_a_clear_failure(
    rendered: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github.fail_next = [503] * 10
    assert post(rendered) != 0
    err = capsys.readouterr().err
    assert "GitHub answered 503" in err
    assert TOKEN not in err
    assert github.comments == {}


def test_a_refusal_is_named(
    rendered: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github.repository = "acme/other"  # the token cannot see acme/shop
    assert post(rendered) != 0
    assert "GitHub answered 404 to GET /repos/acme/shop/issues/7/comments: Not Found" in (
        capsys.readouterr().err
    )


def test_a_pr_that_moved_on_is_skipped(rendered: Path, github: FakeGitHub) -> None:
    assert post(rendered, "--head-sha", "f" * 40) == 0
    assert [r.path for r in github.requests] == ["/repos/acme/shop/pulls/7"]
    assert post(rendered, "--head-sha", github.head_sha) == 0
    assert len(github.comments[7]) == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"repository": "evil/repo", "pr_number": 7, "run_id": "1"}, "nothing posted"),
        (
            {"repository": "acme/shop", "pr_number": "7; rm -rf /", "run_id": "1"},
            "not a valid comment target",
        ),
        ({"repository": "acme/shop", "pr_number": 0, "run_id": "1"}, "not a valid comment target"),
    ],
)
def test_the_artifact_is_data_checked_before_use(
    rendered: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str],
    target: dict[str, object], message: str,
) -> None:  # fmt: skip
    (rendered / "comment.json").write_text(json.dumps(target))
    assert post(rendered) != 0
    assert message in capsys.readouterr().err
    assert github.requests == []


def test_only_a_rendered_comment_is_posted(rendered: Path, github: FakeGitHub) -> None:
    (rendered / "comment.md").write_text("@everyone hello")
    assert post(rendered) != 0
    assert github.requests == []


def test_without_a_token_nothing_is_sent(
    rendered: Path,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    assert post(rendered) != 0
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err
    assert github.requests == []
