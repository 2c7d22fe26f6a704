"""Run a service under uvicorn: agent-engine serve cloud-agent|developer-agent [--host H]
[--port P]. Settings come from the environment (AGENT_TOKEN, DEVELOPER_AGENT_URL,
DEVELOPER_AGENT_TOKEN, AGENT_ENGINE_DATABASE_URL, AGENT_ENGINE_DRAIN,
AGENT_ENGINE_HEADER_TIMEOUT_S)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import uvicorn

from agent_engine.settings import ServiceSettings
from agent_engine.web.protocol import with_header_timeout

FACTORIES = {
    "cloud-agent": ("agent_engine.web.apps:cloud_agent", 8001),
    "developer-agent": ("agent_engine.web.apps:developer_agent", 8002),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agent-engine serve", description=__doc__)
    parser.add_argument("service", choices=sorted(FACTORIES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=None, help="default: 8001 (cloud-agent), 8002 (developer-agent)"
    )
    args = parser.parse_args(argv)
    factory, default_port = FACTORIES[args.service]
    port = args.port or default_port
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    header_timeout_s = ServiceSettings.from_environ(os.environ).header_timeout_s
    print(
        f"serving {args.service} on http://{args.host}:{port} (OpenAPI: /openapi.json)", flush=True
    )
    uvicorn.run(
        factory,
        factory=True,
        host=args.host,
        port=port,
        access_log=False,
        log_level="info",
        http=with_header_timeout(header_timeout_s),  # h11, with a deadline for the headers
        h11_max_incomplete_event_size=64 * 1024,  # request line and headers, buffered
        timeout_keep_alive=5,
        limit_concurrency=200,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
