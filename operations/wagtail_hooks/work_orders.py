"""Admin UI: work_orders."""
