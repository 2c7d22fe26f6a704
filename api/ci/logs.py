"""Vercel entry point of the Cloud-Agent: POST /api/ci/logs."""

from agent_engine.web.apps import cloud_agent

app = cloud_agent()
