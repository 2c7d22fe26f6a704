"""The sticky PR comment.
agent-engine comment render [--out comment] [--pages-url URL]
agent-engine comment post --comment-dir DIR [--head-sha SHA] [--bot-login LOGIN]

render (in the pull_request run) writes comment.md and comment.json (repository, PR number,
run id) from the run's artifacts, and the same text to the job summary. post (in a
workflow_run workflow, with the repository's token, no checkout of the PR's code) reads that
folder as data only, checks the PR number and, with --head-sha, that the PR's head is the
commit that ran, then updates the bot's marked comment in place or creates it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from pydantic import Field, ValidationError

from agent_engine.cli.boundary import guarded
from agent_engine.cli.common import command_parser, summary
from agent_engine.cli.dashboard import add_run_arguments, current_record
from agent_engine.contracts import Contract, Repository
from agent_engine.errors import InputError
from agent_engine.files import write_atomic, write_model
from agent_engine.report.comment import MARKER, MAX_BODY, render
from agent_engine.report.github import GitHub

API = "https://api.github.com"


class CommentTarget(Contract):
    """comment.json: where the comment goes; checked again before anything is posted."""

    repository: Repository
    pr_number: int = Field(ge=1)
    run_id: str = Field(pattern=r"^[0-9A-Za-z_.-]{1,64}$")


def cmd_render(args: argparse.Namespace) -> int:
    run = current_record(args)
    page = f"{args.pages_url.rstrip('/')}/runs/{run.run_key}.html" if args.pages_url else ""
    body = render(run, page)
    path = write_atomic(args.out / "comment.md", body)
    if run.pr_number:
        target = CommentTarget(
            repository=run.repository, pr_number=run.pr_number, run_id=run.run_id
        )
        write_model(args.out / "comment.json", target)
    summary(body)
    where = f"PR #{run.pr_number}" if run.pr_number else "no PR (the comment will not be posted)"
    print(f"pr-comment: {len(body.splitlines())} lines for {where} -> {path}")
    return 0


def cmd_post(args: argparse.Namespace) -> int:
    target = read_target(args.comment_dir / "comment.json")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if target.repository != repository:
        raise InputError(
            f"comment.json names {target.repository}, but this workflow runs in {repository!r}: "
            "nothing posted"
        )
    body = (args.comment_dir / "comment.md").read_text(encoding="utf-8")
    if not body.startswith(MARKER) or len(body) > MAX_BODY + 100:
        raise InputError(
            "comment.md is not a comment rendered by `agent-engine comment render`: nothing posted"
        )
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        raise InputError("GITHUB_TOKEN is not set: pass the workflow's token in the step's env")
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "agent-engine",
    }
    base = os.environ.get("GITHUB_API_URL", API)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        github = GitHub(http, repository)
        if args.head_sha and github.head_sha(target.pr_number) != args.head_sha:
            print(f"pr-comment: PR #{target.pr_number} has moved past {args.head_sha[:7]}: skipped")
            return 0
        action, comment_id = github.upsert(target.pr_number, body, args.bot_login)
    print(f"pr-comment: {action} comment {comment_id} on {repository}#{target.pr_number}")
    return 0


def read_target(path: Path) -> CommentTarget:
    try:
        return CommentTarget.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except (ValueError, ValidationError) as exc:
        raise InputError(f"{path}: not a valid comment target: {exc}") from exc


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "render": cmd_render,
    "post": cmd_post,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("agent-engine comment", __doc__, COMMANDS)
    parser.add_argument("--out", type=Path, default=Path("comment"))
    parser.add_argument("--pages-url", default=None, help="the published dashboard's URL")
    parser.add_argument("--comment-dir", type=Path, default=Path("comment"))
    parser.add_argument("--head-sha", default=None, help="the commit the PR run tested")
    parser.add_argument("--bot-login", default="github-actions[bot]")
    add_run_arguments(parser)
    args = parser.parse_args(argv)
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
