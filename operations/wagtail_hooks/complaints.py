"""Admin UI: complaints."""
