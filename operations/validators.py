"""Phone numbers of mainland China (validation, normalisation, masking) and quantities as people write them."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3–4 digits starting with 0), 7–8 digit number, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
_SEPARATORS = re.compile(r"[\s()()]+")


def normalize_phone(value: str) -> str:
    """Strip spaces, brackets and a +86/0086 prefix; keep hyphens of landlines."""
    phone = _SEPARATORS.sub("", (value or "").strip()).replace("—", "-").replace("－", "-")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :].lstrip("-")
    if phone.startswith("1") and "-" in phone:
        phone = phone.replace("-", "")
    return phone


def is_valid_phone(value: str) -> bool:
    phone = normalize_phone(value)
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone))


def validate_phone(value: str) -> None:
    if value and not is_valid_phone(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number: enter an 11-digit mobile or a landline such as 021-5088 6601."
            ),
            code="invalid_phone",
            params={"value": value},
        )


def mask_phone(value: str) -> str:
    """138****1234 for mobiles; area code and last four digits for landlines."""
    phone = normalize_phone(value)
    if not phone:
        return ""
    if MOBILE_RE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    digits = phone.split("-")
    if len(digits) >= 2:
        return f"{digits[0]}-****{digits[1][-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_name(value: str) -> str:
    """王** — the family name only (names are personal data too)."""
    name = (value or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def format_decimal(value) -> str:
    """A quantity as people write it: ``50``, ``2.5``, ``0.25`` — never ``5E+1`` or ``50.00``.

    ``Decimal.normalize()`` alone turns 50.00 into ``5E+1``; formatting the normalised value
    with ``f`` keeps plain digits. ``None`` and text that is no number are shown as given.
    """
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == 0:
        return "0"
    return f"{number.normalize():f}"
