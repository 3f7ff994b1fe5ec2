"""A web process of its own for tests/tenants/test_shared_cache.py: reads commands on stdin, one per
line — ``lookup HOST`` (the middleware's cached host → center lookup, prints the status),
``suspend CODE``, ``reactivate CODE``, ``cleanup CODE`` — and answers each with one line."""

import sys

import django

django.setup()

from django.db import connection  # noqa: E402

from django_tenants.utils import get_tenant_domain_model  # noqa: E402

from tenants.middleware import CenterTenantMiddleware  # noqa: E402
from tenants.models import CenterAuditLog, ServiceCenter  # noqa: E402
from tenants.services import center_reactivate, center_suspend  # noqa: E402

middleware = CenterTenantMiddleware(lambda request: None)
for line in sys.stdin:
    command, _sep, argument = line.strip().partition(" ")
    connection.set_schema_to_public()
    if command == "lookup":
        print(middleware.get_tenant(get_tenant_domain_model(), argument).status, flush=True)
    elif command == "suspend":
        center_suspend(center=ServiceCenter.objects.get(code=argument), acting_username="cache-probe")
        print("ok", flush=True)
    elif command == "reactivate":
        center = ServiceCenter.objects.get(code=argument)
        if center.status != ServiceCenter.Status.ACTIVE:
            center_reactivate(center=center, acting_username="cache-probe")
        CenterAuditLog.objects.filter(acting_username="cache-probe").delete()
        print("ok", flush=True)
