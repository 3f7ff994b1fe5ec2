"""Admin UI: guide."""
