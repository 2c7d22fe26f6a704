"""Git for the fix agent: a detached worktree of a commit in a temporary folder, the diff of
what changed in it (config-independent, byte-stable), and putting it back as it was."""

from __future__ import annotations

import hashlib
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


def git(
    args: Sequence[str], cwd: Path, stdin: bytes | None = None, ok: Sequence[int] = (0,)
) -> str:
    """A git command with a fixed, config-independent output; an error names its stderr."""
    return git_bytes(args, cwd, stdin, ok).decode("utf-8", "surrogateescape")


def git_bytes(
    args: Sequence[str], cwd: Path, stdin: bytes | None = None, ok: Sequence[int] = (0,)
) -> bytes:
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
    if done.returncode not in ok:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise FixAgentError(f"git {args[0]} failed: {message[:500]}")
    return done.stdout


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


def copy_into(root: Path, tree: Path, paths: Sequence[str]) -> dict[str, str]:
    """Copy git-ignored paths of the checkout that the suite needs (a SQLite folder) into the
    worktree; the sha256 of every file copied, by path, so that a patch writing there shows."""
    for path in paths:
        source, target = root / path, tree / path
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return {
        str(file.relative_to(tree)): digest(file)
        for path in paths
        for file in ([tree / path] if (tree / path).is_file() else (tree / path).rglob("*"))
        if file.is_file() and not file.is_symlink()
    }


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def stray_files(tree: Path) -> list[str]:
    """What the worktree holds beyond the staged diff: ignored, untracked or unstaged files
    (a plugin written into a git-ignored folder would run in validation yet be absent from
    the published patch)."""
    listed = git(["status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all"], tree)
    entries = iter(listed.split("\0"))
    stray = []
    for entry in entries:
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            next(entries, None)  # the rename's source path
        if code in ("??", "!!") or code[1] != " ":
            stray.append(path)
    return stray


def sources(tree: Path, paths: Sequence[str]) -> dict[str, tuple[bytes | None, bytes | None]]:
    """Each path's bytes at the commit and in the worktree (None where it does not exist)."""
    found: dict[str, tuple[bytes | None, bytes | None]] = {}
    for path in paths:
        try:
            before: bytes | None = git_bytes(["show", f"HEAD:{path}"], tree)
        except FixAgentError:
            before = None
        file = tree / path
        after = file.read_bytes() if file.is_file() and not file.is_symlink() else None
        found[path] = (before, after)
    return found


def restore(tree: Path) -> bool:
    """Back to the commit, nothing added, ignored files included; True when `git status`
    shows nothing left."""
    git(["reset", "--quiet", "--hard"], tree)
    git(["clean", "-ffdxq"], tree)
    return stray_files(tree) == [] and git(["status", "--porcelain"], tree) == ""
