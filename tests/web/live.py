"""Real uvicorn processes of the two services on 127.0.0.1, for drills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from agent_engine.heal.backend import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Service:
    """One `python -m tools.serve …` process; its output goes to `log`."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 20) -> Service:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tools.serve", self.name, "--port", str(self.port)],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code in (200, 503):
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start: {self.log.read_text()[-2000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=15)
        self.process = None


def services(tmp: Path, database_url: str, tokens: Mapping[str, str]) -> tuple[Service, Service]:
    """A Developer-Agent on `database_url` and a Cloud-Agent forwarding to it (not started)."""
    dev = Service(
        "developer-agent",
        free_port(),
        {
            "DEVELOPER_AGENT_TOKEN": tokens["developer"],
            "AGENT_ENGINE_DATABASE_URL": database_url,
            "AGENT_ENGINE_DRAIN_FILE": str(tmp / "dev.drain"),
        },
        tmp / "developer-agent.log",
    )
    cloud = Service(
        "cloud-agent",
        free_port(),
        {
            "AGENT_TOKEN": tokens["agent"],
            "DEVELOPER_AGENT_TOKEN": tokens["developer"],
            "DEVELOPER_AGENT_URL": dev.url,
            "AGENT_ENGINE_DRAIN_FILE": str(tmp / "cloud.drain"),
        },
        tmp / "cloud-agent.log",
    )
    return dev, cloud
