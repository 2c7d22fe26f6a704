"""python -m sample_app migrate|seed|serve|auth"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn
from playwright.sync_api import expect, sync_playwright

from sample_app import faults
from sample_app.app import Config, flaky_marker
from sample_app.browser import launch_args
from sample_app.db import migrate
from sample_app.repo import seed


def cmd_migrate(_: argparse.Namespace) -> int:
    config = Config.from_env()
    print(f"migrating the {config.database.kind} database", flush=True)
    try:
        applied = migrate(config.database, config.faults)
    except Exception as exc:
        print(
            f"migration failed: {type(exc).__module__}.{type(exc).__name__}: {exc}",
            file=sys.stderr,
            flush=True,
        )
        raise
    print(f"migrations applied: {', '.join(applied) or 'none (up to date)'}")
    return 0


def cmd_seed(_: argparse.Namespace) -> int:
    config = Config.from_env()
    names = seed(config.database, config.faults)
    flaky_marker(config).unlink(missing_ok=True)
    print(f"seeded the {config.database.kind} database: user demo, projects {', '.join(names)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    uvicorn.run(
        "sample_app.app:create_app", factory=True, host=args.host, port=args.port, log_level="info"
    )
    return 0


def cmd_auth(args: argparse.Namespace) -> int:
    """Sign in through the real login form and save the browser's storage state."""

    state = Path(args.state)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_args())
        page = browser.new_page(base_url=args.url)
        page.goto("/login")
        page.get_by_label("Username").fill(args.username)
        page.get_by_label("Password").fill(os.environ.get("SAMPLE_APP_PASSWORD", "demo-password"))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Projects")).to_be_visible()
        if "storage_state_missing" in faults.active():
            state.unlink(missing_ok=True)  # the state is missing, whatever an earlier run left
        else:
            state.parent.mkdir(parents=True, exist_ok=True)
            page.context.storage_state(path=str(state))
        browser.close()
    print(f"signed in as {args.username} at {args.url}; storage state: {state}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "migrate": cmd_migrate,
    "seed": cmd_seed,
    "serve": cmd_serve,
    "auth": cmd_auth,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the database migrations")
    sub.add_parser("seed", help="reset the baseline data (demo user, three projects)")
    serve = sub.add_parser("serve", help="run the app under uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    auth = sub.add_parser("auth", help="sign in and save the storage state for the E2E suite")
    auth.add_argument("--url", default="http://127.0.0.1:8000")
    auth.add_argument("--state", default=".sample_app/auth/state.json")
    auth.add_argument("--username", default="demo")
    args = parser.parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
