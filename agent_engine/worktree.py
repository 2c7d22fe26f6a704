"""Git for the fix agent: a detached worktree of a commit in a temporary folder, the diff of
what changed in it (config-independent, byte-stable), and putting it back as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from agent_engine.errors import InputError

_DIFF = ["diff", "--cached", "--no-color", "--no-ext-diff", "-M", "--full-index", "--binary"]


class FixAgentError(InputError):
    code = "fix_agent_failed"


def git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> str:
    """A git command with a fixed, config-independent output; an error names its stderr."""
    argv = ["git", "-c", "core.quotepath=false", "-c", "color.ui=never", *args]
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    done = subprocess.run(
        argv,
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise FixAgentError(f"git {args[0]} failed: {message[:500]}")
    return done.stdout.decode("utf-8", "surrogateescape")


@contextmanager
def worktree(root: Path, commit: str) -> Iterator[Path]:
    """A detached worktree of `commit` in a temporary directory, removed on exit."""
    holder = Path(tempfile.mkdtemp(prefix="agent-engine-fix-"))
    path = holder / "worktree"
    git(["worktree", "add", "--detach", "--quiet", str(path), commit], root)
    try:
        yield path
    finally:
        git(["worktree", "remove", "--force", str(path)], root)
        shutil.rmtree(holder, ignore_errors=True)


def take_diff(tree: Path) -> str:
    git(["add", "-A"], tree)
    return git([*_DIFF, "--src-prefix=a/", "--dst-prefix=b/"], tree)


def restore(tree: Path) -> bool:
    """Back to the commit, nothing added; True when `git status` shows nothing left."""
    git(["reset", "--quiet", "--hard"], tree)
    git(["clean", "-fdq"], tree)
    return git(["status", "--porcelain"], tree) == ""
