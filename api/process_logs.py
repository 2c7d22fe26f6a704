"""Vercel entry point of the Developer-Agent: POST /process-logs (by a rewrite)."""

from agent_engine.web.apps import developer_agent

app = developer_agent()
