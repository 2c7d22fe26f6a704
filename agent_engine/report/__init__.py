"""Reporting: the run history, the static dashboard and the sticky PR comment."""
