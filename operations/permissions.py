"""Who may see residents' personal data in full; everyone else sees it masked."""

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
