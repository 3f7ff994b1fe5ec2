"""Who may see residents' personal data in full; everyone else sees it masked."""

from django.utils import timezone

from operations.validators import mask_name, mask_phone


def can_see_contact(user) -> bool:
    """Full phone numbers: the desk, customer managers and the center head (DESIGN §4.13)."""
    return bool(user and user.is_active and user.has_perm("operations.view_resident_contact"))


def display_phone(user, phone: str) -> str:
    return phone if can_see_contact(user) else mask_phone(phone)


def can_see_complainant(user, complaint) -> bool:
    """The complainant is confidential: only the center head and the assigned handler see who it is."""
    if not user or not user.is_active:
        return False
    if complaint.handler_id and complaint.handler_id == user.pk:
        return True
    return user.has_perm("operations.view_complainant")


def display_complainant(user, complaint) -> tuple[str, str]:
    if can_see_complainant(user, complaint):
        return complaint.complainant_name, complaint.complainant_phone
    return mask_name(complaint.complainant_name), mask_phone(complaint.complainant_phone)


# Elders living alone: health notes, phones and family contacts are need-to-know -------------

ELDER_SENSITIVE_FIELDS = ("health_notes", "phone", "home_phone", "contacts")


def can_see_elder_sensitive(user, elder, *, today=None) -> bool:
    """The center head (``view_elder_sensitive``), the elder's customer manager and, during the
    delegate period, the delegate; everyone else sees masked values (DESIGN §11)."""
    if not user or not user.is_active or not user.is_authenticated:
        return False
    if user.has_perm("operations.view_elder_sensitive"):
        return True
    if elder.manager_id == user.pk:
        return True
    if elder.delegate_id and elder.delegate_id == user.pk:
        today = today or timezone.localdate()
        starts, ends = elder.delegate_from, elder.delegate_until
        return (starts is None or starts <= today) and (ends is None or today <= ends)
    return False


def display_elder_phone(user, elder, phone: str) -> str:
    return phone if can_see_elder_sensitive(user, elder) else mask_phone(phone)
