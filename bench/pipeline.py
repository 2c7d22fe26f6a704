"""B4: the agent stages of a failed sample_app run (ship and classify, self-heal decide, fix
input, dashboard, comment; self-heal's and the fix agent's test reruns excluded) against the
E2E suite's own duration in the same run of `python -m tools.pipeline run`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from agent_engine.cli import pipeline
from agent_engine.heal.backend import free_port

ROOT = Path(__file__).resolve().parent.parent
FAULT = "drift_id"


def config(folder: Path) -> Path:
    """The repository's agent-engine.toml with the app on a free port."""
    port = str(free_port())
    text = (ROOT / "agent-engine.toml").read_text(encoding="utf-8").replace("8000", port)
    path = folder / "agent-engine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pipeline"
        argv = ["run", "--fault", FAULT, "--config", str(config(Path(folder))), "--out", str(out)]
        code = pipeline.main(argv)
        if code != 0:
            return code
        [timings_file] = out.glob("run-*/timings.json")
        timings = pipeline.StageTimings.model_validate_json(timings_file.read_text())
    print(f"\nB4: the pipeline on sample_app with --fault {FAULT}")
    for stage in timings.stages:
        kind = "agent" if stage.agent else ("reference" if stage.name == "e2e" else "excluded")
        print(f"  {stage.name:<18} {stage.seconds:7.2f} s  ({kind})")
    print(
        f"agent stages {timings.agent_s:.2f} s against the E2E suite's {timings.e2e_s:.2f} s: "
        f"{timings.agent_share:.1%} (target <= 25 %)"
    )
    return 0
