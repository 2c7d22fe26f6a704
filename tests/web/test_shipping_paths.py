"""The shipper's and self-heal's paths against real services: refusals, a receiver that keeps
answering 503 until the deadline, parking refused outbox entries, and reading a stored
analysis back from the Cloud-Agent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

from agent_engine.cli.self_heal import main as self_heal
from agent_engine.cli.ship import main as send
from agent_engine.contracts import Analysis
from agent_engine.delivery.outbox import Outbox
from tests.web.live import Service, services

TOKENS = {"agent": "paths-agent-token-0123", "developer": "paths-developer-token-0123"}
LOG = "tests/fixtures/corpus/locator_not_found/sample-app-drift_id/test-output.log"
RUN = ["--repository", "acme/shop", "--run-id", "7", "--job", "e2e"]


@pytest.fixture
def up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Service, Service]]:
    dev, cloud = services(tmp_path, f"sqlite:///{tmp_path}/paths.db", TOKENS)
    monkeypatch.setenv("CLOUD_AGENT_URL", cloud.url)
    monkeypatch.setenv("AGENT_TOKEN", TOKENS["agent"])
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    with stamina.set_testing(False):
        try:
            yield dev.start(), cloud.start()
        finally:
            cloud.stop()
            dev.stop()


def test_a_refused_batch_exits_1_with_a_local_analysis(
    up: tuple[Service, Service],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AGENT_TOKEN", "wrong")
    out = tmp_path / "a.json"
    assert send(["ship", *RUN, "--out", str(out), LOG]) == 1
    assert "refused the batch: 401 unauthorized" in capsys.readouterr().out
    assert Analysis.model_validate_json(out.read_text()).source == "local"


def test_a_receiver_answering_503_past_the_deadline_queues(
    up: tuple[Service, Service],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, cloud = up
    Path(cloud.env["AGENT_ENGINE_DRAIN_FILE"]).touch()
    code = send(
        [
            "ship",
            *RUN,
            "--deadline",
            "1.5",
            "--max-wait",
            "0.2",
            "--outbox",
            str(tmp_path / "ob"),
            "--out",
            str(tmp_path / "a.json"),
            LOG,
        ]
    )
    assert code == 0
    assert "kept answering 503 (deploying)" in capsys.readouterr().out
    assert len(Outbox(tmp_path / "ob").entries()) == 1


def test_flush_parks_what_the_receiver_refuses(
    up: tuple[Service, Service],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    Outbox(tmp_path / "ob").put("acme/shop/9/1/e2e", b"not gzip at all")
    assert send(["flush", "--outbox", str(tmp_path / "ob")]) == 0
    out = capsys.readouterr().out
    assert "refused, moved to" in out
    assert "0 delivered, 0 still queued, 1 refused" in out
    assert list((tmp_path / "ob" / "failed").glob("*.batch.gz"))


def test_self_heal_reads_the_stored_analysis_back(
    up: tuple[Service, Service],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert send(["ship", *RUN, "--out", str(tmp_path / "shipped.json"), LOG]) == 0
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_dispatch")
    assert (
        self_heal(
            [
                "prepare-context",
                "--dir",
                str(tmp_path / "sh"),
                "--analysis",
                str(tmp_path / "missing.json"),
                "--run-key",
                "acme~shop~7~1~e2e",
            ]
        )
        == 0
    )
    assert "(service analysis)" in capsys.readouterr().out
    assert (
        self_heal(
            [
                "prepare-context",
                "--dir",
                str(tmp_path / "sh2"),
                "--analysis",
                str(tmp_path / "shipped.json"),
            ]
        )
        == 0
    )
    assert "(artifact analysis)" in capsys.readouterr().out
