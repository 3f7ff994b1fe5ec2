"""Admin UI: inquiries."""
