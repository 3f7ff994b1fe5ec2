"""Admin UI: roster."""
