"""Set up a development environment and run the project: python3 -m tools.dev test|demo|setup.

Runs on the system Python with the standard library only: it creates `.venv`, installs the
project with its test extra (again only when pyproject.toml changed), then runs the command
inside that environment.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".agent-engine-installed"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_venv() -> None:
    """Create .venv (installing Debian's python3-venv first when ensurepip is missing)."""
    if venv_python().exists():
        return
    say(f"creating {VENV}")
    try:
        venv.create(VENV, with_pip=True)
    except subprocess.CalledProcessError:
        apt = shutil.which("apt-get")
        if not (apt and is_root()):
            raise
        shutil.rmtree(VENV, ignore_errors=True)
        say("ensurepip is missing: installing python3-venv with apt-get")
        minor = f"python3.{sys.version_info.minor}-venv"
        subprocess.run([apt, "update", "-q"], check=True)
        subprocess.run([apt, "install", "-y", "-q", "python3-venv", minor], check=False)
        venv.create(VENV, with_pip=True)


def ensure_installed() -> None:
    """pip install -e '.[test]' when pyproject.toml changed since the last install."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == digest:
        return
    say("installing the project and its test dependencies into .venv")
    pip = [str(venv_python()), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-q", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(digest, encoding="utf-8")


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_browser() -> None:
    """Chromium for the E2E suite: Debian's package where apt is available (as root), else
    Playwright's own build. CHROMIUM_EXECUTABLE points at any other browser binary."""
    if os.environ.get("CHROMIUM_EXECUTABLE") or DEBIAN_CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt and is_root():
        say("installing Debian's chromium with apt-get")
        subprocess.run([apt, "update", "-q"], check=False)
        subprocess.run([apt, "install", "-y", "-q", "chromium"], check=False)
    if not DEBIAN_CHROMIUM.exists():
        say("no Debian chromium here: installing Playwright's Chromium")
        deps = ["--with-deps"] if sys.platform == "linux" and shutil.which("sudo") else []
        install = [str(venv_python()), "-m", "playwright", "install", *deps, "chromium"]
        subprocess.run(install, check=True)


def setup() -> None:
    ensure_venv()
    ensure_installed()
    ensure_browser()


def run_in_venv(args: Sequence[str]) -> int:
    return subprocess.run([str(venv_python()), *args], cwd=ROOT, check=False).returncode


def cmd_setup(_: Sequence[str]) -> int:
    setup()
    say(f"ready: {venv_python()}")
    return 0


def cmd_test(extra: Sequence[str]) -> int:
    setup()
    say("running the test suite: python -m pytest " + " ".join(extra))
    code = run_in_venv(["-m", "pytest", *extra])
    if code == 5:
        say("pytest collected no tests: that is a failure")
    return code


def cmd_demo(extra: Sequence[str]) -> int:
    """The whole pipeline against sample_app; a selector drift unless other faults are given."""
    setup()
    args = list(extra) or ["--fault", "drift_id"]
    say("running the whole pipeline: python -m tools.pipeline run " + " ".join(args))
    return run_in_venv(["-m", "tools.pipeline", "run", *args])


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "setup": cmd_setup,
    "test": cmd_test,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m tools.dev", description=__doc__)
    p.add_argument(
        "command",
        choices=sorted(COMMANDS),
        help="setup, test (extra args go to pytest) or demo (the whole pipeline against "
        "sample_app; extra args go to tools.pipeline run, default --fault drift_id)",
    )
    args, extra = p.parse_known_args(argv)
    return COMMANDS[args.command](extra)


if __name__ == "__main__":
    sys.exit(main())
