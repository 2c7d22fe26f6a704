"""The whole Agent Engine flow on one machine, as the workflow runs it on GitHub Actions:
agent-engine pipeline run [--fault NAME]... [--config FILE] [--out out/pipeline]

Prepares and starts the app of agent-engine.toml (SQLite: DATABASE_URL is ignored), signs in
on one backend and runs the E2E suite on a fresh one (as the CI jobs do), starts the
Developer-Agent and the Cloud-Agent on loopback with a SQLite store, ships the logs, decides
and executes self-heal, prepares and validates the fix, builds the dashboard and the PR
comment, then prints where everything is. Every process it starts is stopped on the way out,
Ctrl-C and failures included."""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from pydantic import Field

from agent_engine.cli import comment, dashboard, e2e, fix, self_heal, ship
from agent_engine.cli.boundary import guarded
from agent_engine.cli.common import command_parser
from agent_engine.contracts import Analysis, Contract, Versioned
from agent_engine.errors import AgentEngineError, ConfigError
from agent_engine.files import write_model
from agent_engine.fix.report import FixMetadata
from agent_engine.fix.worktree import git
from agent_engine.heal import backend
from agent_engine.heal.selfheal import Report
from agent_engine.settings import Settings, load_settings

SERVICES = ("developer-agent", "cloud-agent")


class PipelineError(AgentEngineError):
    code = "pipeline_failed"
    next_step = "read the log named in the message"


class Stage(Contract):
    name: str
    seconds: float
    agent: bool  # counted by B4: an agent stage without test reruns


class StageTimings(Versioned):
    """timings.json: each stage's seconds; B4 compares the agent stages (derived below) with
    the E2E suite."""

    stages: list[Stage] = Field(default_factory=list)

    @property
    def e2e_s(self) -> float:
        return round(sum(s.seconds for s in self.stages if s.name == "e2e"), 3)

    @property
    def agent_s(self) -> float:
        return round(sum(s.seconds for s in self.stages if s.agent), 3)

    @property
    def agent_share(self) -> float:
        return round(self.agent_s / self.e2e_s, 4) if self.e2e_s else 0.0


class Pipeline:
    def __init__(self, args: argparse.Namespace, settings: Settings) -> None:
        self.args, self.settings = args, settings
        self.run_id = f"local-{int(time.time())}"
        self.out: Path = args.out
        self.run_dir = self.out / f"run-{self.run_id}"
        self.timings = StageTimings()
        self.step = 0
        self.config = ["--config", str(args.config)] if args.config else []
        self.failed_stage = ""  # "<stage>: why", when a stage before the suite failed

    # --- progress ---------------------------------------------------------------------------

    @contextmanager
    def stage(self, name: str, what: str, agent: bool = False) -> Iterator[None]:
        self.step += 1
        print(f"\n[pipeline] {self.step}. {name}: {what}", flush=True)
        started = time.monotonic()
        yield
        seconds = time.monotonic() - started
        self.timings.stages.append(Stage(name=name, seconds=round(seconds, 3), agent=agent))
        print(f"[pipeline] {name}: done in {seconds:.1f}s", flush=True)

    # --- the flow ---------------------------------------------------------------------------

    def run(self) -> int:
        self.environment()
        with ExitStack() as stack:
            stack.callback(self.stop_backend)
            e2e_code = self.core_jobs()
            urls = stack.enter_context(self.services())
            failed = bool(self.failed_stage or e2e_code)
            self.ship(urls, "failure" if failed else "success")
            if failed:
                self.self_heal()
                self.fix()
            self.report()
        self.summary(e2e_code)
        write_model(self.path("timings.json"), self.timings)
        return 0

    def core_jobs(self) -> int:
        """Prepare the app, sign in, run the suite: the E2E exit code, or 1 when a stage
        before the suite failed (that stage is named, its output kept for the shipper)."""
        app, suite = self.settings.app, self.settings.e2e
        assert suite is not None
        current = "prepare"
        try:
            if app is not None:
                with self.stage("prepare", "migrate and seed the app"):
                    self.prepare()
            if suite.auth is not None:
                current = "auth"
                with self.stage("auth", "sign in on its own backend and save the storage state"):
                    self.backend()
                    code = e2e.main(["auth", *self.config])
                    self.stop_backend()
                    if code != 0:
                        raise PipelineError(f"the sign-in step exited with {code}")
            current = "e2e"
            with self.stage("e2e", "run the E2E suite on a fresh backend"):
                self.backend()
                return e2e.main(["run", *self.config])
        except AgentEngineError as exc:
            self.stop_backend()
            self.failed_stage = f"{current}: {exc.message}"
            log = self.path("pipeline.log")
            with log.open("a", encoding="utf-8") as kept:
                kept.write(f"stage {current} failed: {exc.message}\n")
            print(f"[pipeline] {current} failed: {exc.message}", flush=True)
            return 1

    def environment(self) -> None:
        """The run as the GITHUB_* variables would describe it; locally the user asked for
        self-heal, so the trigger is workflow_dispatch."""
        app = self.settings.app
        if self.settings.e2e is None:
            raise ConfigError("the pipeline needs the [e2e] section of agent-engine.toml")
        os.environ.pop("DATABASE_URL", None)
        if self.args.fault:
            if app is None or not app.fault_switch:
                raise ConfigError("--fault needs [app] fault_switch in agent-engine.toml")
            os.environ[app.fault_switch] = ",".join(self.args.fault)
        elif app is not None and app.fault_switch:
            os.environ.pop(app.fault_switch, None)
        root = Path(git(["rev-parse", "--show-toplevel"], Path.cwd()).strip())
        name = re.sub(r"[^A-Za-z0-9._-]", "-", root.name) or "repo"
        os.environ |= {
            "GITHUB_REPOSITORY": f"local/{name}",
            "GITHUB_RUN_ID": self.run_id,
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_JOB": "e2e-tests",
            "GITHUB_EVENT_NAME": "workflow_dispatch",
            "GITHUB_SERVER_URL": "",  # no run page to link to
            "GITHUB_SHA": git(["rev-parse", "HEAD"], root).strip(),
            "GITHUB_REF": "refs/heads/"
            + (git(["rev-parse", "--abbrev-ref", "HEAD"], root).strip() or "local"),
        }
        for name in (
            "GITHUB_EVENT_PATH",
            "GITHUB_BASE_REF",
            "GITHUB_OUTPUT",
            "GITHUB_STEP_SUMMARY",
        ):
            os.environ.pop(name, None)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # A previous run's reports and logs are not this run's evidence (an app log kept
        # across runs would blame every later run for an old traceback).
        suite = self.settings.e2e
        stale = [suite.junit, suite.log, suite.log.parent / "auth.log", suite.rerun_junit]
        stale += [app.log, app.prepare_log] if app else []
        for path in stale:
            path.unlink(missing_ok=True)
        faults = ", ".join(self.args.fault) or "none"
        print(f"[pipeline] run {self.run_id} (faults: {faults}); outputs in {self.run_dir}")

    def prepare(self) -> None:
        app = self.settings.app
        assert app is not None
        backend.prepare(app)

    @property
    def pid_file(self) -> Path:
        return self.out / "backend.pid"

    def backend(self) -> None:
        """Start the app (none to start when the suite starts it itself: no [app])."""
        app = self.settings.app
        if app is None:
            return
        pid = backend.start(app, self.pid_file)
        health = backend.wait_healthy(app.health_url, app.health_timeout_s, pid)
        if not health.ok:
            self.stop_backend()
            raise PipelineError(f"the app is not healthy ({health.detail}); see {app.log}")
        print(f"[pipeline] app pid {pid} healthy at {app.base_url} in {health.seconds:.1f}s")

    def stop_backend(self) -> None:
        backend.stop(self.pid_file)

    @contextmanager
    def services(self) -> Iterator[dict[str, str]]:
        """Both services under uvicorn on free loopback ports, a SQLite store; stopped on exit."""
        token, inner = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        ports = {name: backend.free_port() for name in SERVICES}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        env = {
            **os.environ,
            "AGENT_TOKEN": token,
            "DEVELOPER_AGENT_URL": urls["developer-agent"],
            "DEVELOPER_AGENT_TOKEN": inner,
            "AGENT_ENGINE_DATABASE_URL": f"sqlite:///{(self.out / 'agent-engine.db').resolve()}",
        }
        started: list[subprocess.Popen[bytes]] = []
        try:
            for name in SERVICES:
                with (self.out / f"{name}.log").open("ab") as log:
                    started.append(
                        subprocess.Popen(
                            [
                                sys.executable,
                                "-m",
                                "agent_engine.cli.serve",
                                name,
                                "--port",
                                str(ports[name]),
                            ],
                            env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
                health = backend.wait_healthy(f"{urls[name]}/health", 30, started[-1].pid)
                if not health.ok:
                    raise PipelineError(
                        f"{name} is not up ({health.detail}); see {self.out / f'{name}.log'}"
                    )
            print(f"[pipeline] services up: {urls['cloud-agent']} -> {urls['developer-agent']}")
            os.environ |= {"CLOUD_AGENT_URL": urls["cloud-agent"], "AGENT_TOKEN": token}
            yield urls
        finally:
            for child in started:
                with suppress(ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(child.pid, signal.SIGTERM)
                    child.wait(timeout=10)
            for name in ("CLOUD_AGENT_URL", "AGENT_TOKEN"):
                os.environ.pop(name, None)

    def path(self, *parts: str) -> Path:
        return Path(self.run_dir, *parts)

    def ship(self, urls: dict[str, str], outcome: str) -> None:
        what = f"send every log the config names to the Cloud-Agent at {urls['cloud-agent']}"
        with self.stage("ship", what, True):
            code = ship.main(
                [
                    "ship", "--outcome", outcome, "--also", str(self.path("pipeline.log")),
                    "--out", str(self.path("agent-analysis", "analysis.json")),
                    "--outbox", str(self.path("agent-outbox")),
                    *self.config,
                ]
            )  # fmt: skip
            if code != 0:
                raise PipelineError(f"shipping the logs failed (exit {code})")

    def self_heal(self) -> None:
        common = ["--dir", str(self.path("self-heal")), *self.config]
        analysis = ["--analysis", str(self.path("agent-analysis", "analysis.json"))]
        with self.stage("self-heal decide", "gather the context and decide", True):
            self_heal.main(["prepare-context", *common, *analysis])
            self_heal.main(["decide", *common])
        with (
            self.stage("self-heal execute", "run the allowed actions and rerun the failed tests"),
            self.repaired(),
        ):
            self_heal.main(["execute", *common])

    @contextmanager
    def repaired(self) -> Iterator[None]:
        """Self-heal's repairs run as the repaired environment would: without the fault
        switches (the app already started keeps its faults)."""
        app = self.settings.app
        switch = app.fault_switch if app else None
        saved = os.environ.pop(switch, None) if switch else None
        try:
            yield
        finally:
            if switch and saved is not None:
                os.environ[switch] = saved

    def fix(self) -> None:
        common = ["--dir", str(self.path("fix-agent")), "--run-id", self.run_id, *self.config]
        analysis = ["--analysis", str(self.path("agent-analysis", "analysis.json"))]
        with self.stage("fix prepare", "prepare the fix agent's input", True):
            fix.main(["prepare-input", *common, *analysis])
        with self.stage("fix validate", "heal on a worktree, check, validate by rerunning"):
            fix.main(["apply-and-validate", *common])

    def report(self) -> None:
        artifacts = [
            "--analysis", str(self.path("agent-analysis", "analysis.json")),
            "--self-heal-dir", str(self.path("self-heal")),
            "--fix-dir", str(self.path("fix-agent")),
            *self.config,
        ]  # fmt: skip
        site = self.out / "site"
        with self.stage("dashboard", "merge this run into the history and build the site", True):
            dashboard.main(
                ["build", "--out", str(site), "--history", str(site / "data.json"), *artifacts]
            )
        with self.stage("comment", "render the PR comment", True):
            comment.main(["render", "--out", str(self.path("comment")), *artifacts])

    # --- the end ----------------------------------------------------------------------------

    def summary(self, e2e_code: int) -> None:
        analysis_path = self.path("agent-analysis", "analysis.json")
        e2e_s = self.timings.e2e_s
        lines = ["", f"Agent Engine pipeline, run {self.run_id}"]
        if self.failed_stage:
            lines.append(f"  Failed at    {self.failed_stage} ({self.path('pipeline.log')})")
        else:
            lines.append(
                f"  E2E suite    {'failed' if e2e_code else 'passed'} in {e2e_s:.1f}s"
                f" ({self.settings.e2e.log if self.settings.e2e else ''})"
            )
        if not (self.failed_stage or e2e_code):
            lines.append("  Verdict      none: every test passed")
        elif analysis_path.exists():
            analysis = Analysis.model_validate_json(analysis_path.read_text(encoding="utf-8"))
            verdict = analysis.classification
            lines.append(
                f"  Verdict      {verdict.error_type.value} ({verdict.confidence:.0%}), "
                f"{analysis.source} analysis"
            )
        reports = sorted(self.path("self-heal").glob("report-*.json"))
        if reports:
            report = Report.model_validate_json(reports[-1].read_text(encoding="utf-8"))
            lines.append(f"  Self-heal    {report.verdict}: {report.reason} ({reports[-1]})")
        metas = sorted(self.path("fix-agent").glob("metadata-*.json"))
        if metas:
            meta = FixMetadata.model_validate_json(metas[-1].read_text(encoding="utf-8"))
            patch = self.path("fix-agent", meta.patch_file)
            where = f" ({patch})" if patch.exists() and patch.stat().st_size else ""
            lines.append(f"  Fix patch    {meta.outcome}: {meta.reason}{where}")
        site = (self.out / "site" / "index.html").resolve()
        lines.append(f"  Dashboard    {site.as_uri()}")
        lines.append(f"  PR comment   {self.path('comment', 'comment.md')}")
        if e2e_s:
            agent = self.timings.agent_s
            lines.append(
                f"  Agent time   {agent:.1f}s for ship, decide, fix input, dashboard and comment"
                f" = {agent / e2e_s:.0%} of the E2E suite's {e2e_s:.1f}s (reruns excluded)"
            )
        print("\n".join(lines), flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    # A TERM (a CI cancel, `kill`) unwinds like Ctrl-C: every started process is stopped.
    before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return Pipeline(args, load_settings(args.config)).run()
    except KeyboardInterrupt:
        print("\n[pipeline] interrupted: every process it started is stopped", flush=True)
        return 128 + signal.SIGINT
    finally:
        signal.signal(signal.SIGTERM, before)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"run": cmd_run}


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("agent-engine pipeline", __doc__, COMMANDS)
    parser.add_argument("--config", type=Path, default=None, help="agent-engine.toml")
    parser.add_argument(
        "--fault", action="append", default=[], help="a fault switch of the app (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=Path("out/pipeline"))
    args = parser.parse_args(argv)
    return guarded(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
