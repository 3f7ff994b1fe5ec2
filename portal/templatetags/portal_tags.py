"""Template filters of the head-office portal."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """A rate (0–1) as ``95.0%``; ``—`` when there is none."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
