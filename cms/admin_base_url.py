"""Links in Wagtail's e-mails point at the center's own host, not at the head office.

``WAGTAILADMIN_BASE_URL`` is one value for the whole process (the head office's), but each center's
admin lives on its own domain: a password-reset or moderation e-mail sent to a center's staff linked
to the head-office host, a 404 there. Wagtail reads the setting only through
``wagtail.admin.utils.get_admin_base_url``, imported by name into its template tags and user bar;
``install()`` (from ``CmsConfig.ready``) points those names at ``center_admin_base_url``.
tests/cms/test_admin_emails.py fails if a Wagtail upgrade reads the setting elsewhere.
"""

from django.conf import settings
from django.db import connection

import wagtail.admin.templatetags.wagtailadmin_tags
import wagtail.admin.userbar
import wagtail.admin.utils

from django_tenants.utils import get_public_schema_name

from tenants.selectors import center_base_url

WAGTAIL_MODULES = (wagtail.admin.utils, wagtail.admin.templatetags.wagtailadmin_tags, wagtail.admin.userbar)


def center_admin_base_url() -> str | None:
    """The current center's ``http(s)://domain[:port]``; the setting at head office or without a domain."""
    if connection.schema_name != get_public_schema_name():
        url = center_base_url()
        if url:
            return url
    return getattr(settings, "WAGTAILADMIN_BASE_URL", None)


def install() -> None:
    for module in WAGTAIL_MODULES:
        module.get_admin_base_url = center_admin_base_url
