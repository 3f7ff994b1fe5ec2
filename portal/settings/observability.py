"""Observability: health and readiness endpoints, structured logs with the center's code (#16)."""
