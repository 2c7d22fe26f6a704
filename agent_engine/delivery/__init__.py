"""Delivery: ship the evidence to the Cloud-Agent, an outbox when it is away."""
