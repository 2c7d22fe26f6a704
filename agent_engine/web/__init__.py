"""The two ASGI services: the Cloud-Agent (receiver) and the Developer-Agent (analysis)."""
