"""``{{ value|quantity }}``: a decimal quantity as people write it (50, 2.5), see ``format_decimal``."""

from django import template

from operations.validators import format_decimal

register = template.Library()


@register.filter
def quantity(value) -> str:
    return format_decimal(value)
