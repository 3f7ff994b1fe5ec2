from django.db import connection
from django.http import Http404
from django.views.static import serve

from django_tenants.files.storage import TenantFileSystemStorage


def serve_media(request, schema: str, path: str):
    """Serve a file of the current center's media, and nothing of any other center's.

    In production a web server or object storage serves media under the same per-schema
    prefix; this view keeps the rule when Django serves them (demo, development, tests).
    """
    if schema != connection.schema_name:
        raise Http404
    response = serve(request, path, document_root=TenantFileSystemStorage().location)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
