"""Self-heal: bounded, allow-listed repairs of the environment, never of code."""
