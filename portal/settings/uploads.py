"""Upload limits (#15): sizes and types of what staff and residents upload; read by base.py."""
