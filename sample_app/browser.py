"""How the suite and the auth step launch Chromium (shared/reference/ecosystem.md, B3)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    # no DNS except loopback: the browser stays hermetic on an offline machine
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]


def executable() -> str | None:
    """Debian's chromium unless CHROMIUM_EXECUTABLE says otherwise; None lets Playwright use
    its own browser (after `python -m playwright install chromium`)."""
    explicit = os.environ.get("CHROMIUM_EXECUTABLE")
    if explicit:
        return explicit
    return str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.exists() else None


def launch_args(base: dict[str, Any] | None = None) -> dict[str, Any]:
    args = {**(base or {}), "args": ARGS}
    path = executable()
    if path:
        args["executable_path"] = path
    return args
