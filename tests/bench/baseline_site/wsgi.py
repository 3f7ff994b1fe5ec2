"""WSGI entry of the baseline site (``gunicorn tests.bench.baseline_site.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.baseline_site.settings")
application = get_wsgi_application()
