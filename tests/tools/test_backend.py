"""python -m tools.backend: prepare, start, wait and stop the app as agent-engine.toml says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_engine.cli.backend import main
from agent_engine.heal import backend
from agent_engine.heal.backend import free_port


def config(tmp_path: Path, start: str, port: int, extra: str = "") -> Path:
    path = tmp_path / "agent-engine.toml"
    path.write_text(
        f"""[app]
migrate = ["{{python}}", "-m", "sample_app", "migrate"]
seed = ["{{python}}", "-m", "sample_app", "seed"]
start = {start}
base_url = "http://127.0.0.1:{port}"
health_url = "http://127.0.0.1:{port}/api/health/"
health_timeout_s = {extra or 20}
log = "{tmp_path / "backend.log"}"
env = {{ SAMPLE_APP_SQLITE = "{tmp_path / "app.db"}", SAMPLE_APP_STATE_DIR = "{tmp_path}" }}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def app_config(tmp_path: Path) -> Iterator[tuple[Path, Path, int]]:
    port = free_port()
    start = f'["{{python}}", "-m", "sample_app", "serve", "--port", "{port}"]'
    path, pid_file = config(tmp_path, start, port), tmp_path / "backend.pid"
    yield path, pid_file, port
    backend.stop(pid_file)


def test_prepare_start_wait_stop(
    app_config: tuple[Path, Path, int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, pid_file, port = app_config
    monkeypatch.setenv("SAMPLE_APP_SQLITE", str(path.parent / "app.db"))
    args = ["--config", str(path), "--pid-file", str(pid_file)]
    assert main(["prepare", *args]) == 0
    assert main(["start", *args]) == 0
    pid = int(pid_file.read_text())
    assert main(["wait", *args]) == 0
    assert backend.wait_healthy(f"http://127.0.0.1:{port}/api/health/", 5).ok
    assert main(["stop", *args]) == 0
    assert not backend.alive(pid)
    assert not pid_file.exists()
    out = capsys.readouterr().out
    assert f"started pid {pid}" in out
    assert "healthy after" in out
    assert "GET /api/health/ HTTP/1.1" in (path.parent / "backend.log").read_text()
    assert main(["stop", *args]) == 0
    assert "was not running" in capsys.readouterr().out


def test_a_backend_that_exits_fails_the_wait_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    path = config(tmp_path, '["{python}", "-c", "raise SystemExit(3)"]', port)
    args = ["--config", str(path), "--pid-file", str(tmp_path / "pid")]
    assert main(["start", *args]) == 0
    assert main(["wait", *args]) == 1
    assert "exited" in capsys.readouterr().err


def test_a_backend_that_never_answers_times_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    path = config(tmp_path, '["{python}", "-c", "import time; time.sleep(30)"]', port, "1")
    args = ["--config", str(path), "--pid-file", str(tmp_path / "pid")]
    assert main(["start", *args]) == 0
    try:
        assert main(["wait", *args]) == 1
        assert "not healthy after" in capsys.readouterr().err
    finally:
        main(["stop", *args])


def test_a_failing_prepare_step_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, '["true"]', free_port())
    text = path.read_text().replace('"sample_app", "migrate"]', '"sample_app", "nope"]')
    path.write_text(text)
    assert main(["prepare", "--config", str(path)]) == 1
    assert "migrate exited with 2" in capsys.readouterr().err


def test_no_app_section_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agent-engine.toml"
    path.write_text("[classifier]\n")
    assert main(["start", "--config", str(path)]) == 2
    assert "no [app] section" in capsys.readouterr().err
