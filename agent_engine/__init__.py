"""Agent Engine: a CI failure agent for GitHub Actions."""

__version__ = "0.1.0"
