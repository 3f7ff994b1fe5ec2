"""Signals of the tenants app, for the apps above it (which tenants never imports)."""

from django.dispatch import Signal

#: Sent after the transaction that created a center commits, with ``center``. ``portal`` queues the
#: refill of the spare schemas on it (tenants.spares).
center_created = Signal()
