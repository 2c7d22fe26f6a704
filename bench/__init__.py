"""Benchmarks and accuracy reports: python -m bench <name>."""
