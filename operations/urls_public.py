"""Public (no login) URLs of operations on a center's host, e.g. survey answers by token."""

urlpatterns: list = []
