"""Pages every center's site starts with."""

from django.db import transaction


@transaction.atomic
def center_pages_install(*, home) -> None:
    """Create the 通知公告 list under the center's home page unless it already has one.

    Runs in the center's schema (at provisioning, and once for existing centers). Idempotent.
    """
    from cms.models import NoticeIndexPage

    if NoticeIndexPage.objects.child_of(home).exists():
        return
    home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices", live=True))
