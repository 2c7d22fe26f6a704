"""The fix agent: a locator patch under guardrails, validated, never pushed."""
