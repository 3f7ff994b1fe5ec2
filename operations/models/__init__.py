"""Per-center operations models, one module per area (tenant schema only)."""

from .staff import StaffProfile

__all__ = ["StaffProfile"]
