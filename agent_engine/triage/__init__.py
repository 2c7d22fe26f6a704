"""Triage: redact, scan and classify a failed run's logs, and answer with a plan."""
