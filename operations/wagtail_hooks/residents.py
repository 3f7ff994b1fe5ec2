"""Admin UI: residents."""
