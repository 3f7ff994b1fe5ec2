"""The test suite: fast hashing, local-memory cache (still tenant-keyed), embedded DB by default."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import database_from_env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["localhost", ".localhost", "testserver", "127.0.0.1"]
SITE_PORT = 80
DATABASES = {"default": database_from_env(allow_embedded=True)}
# A connection per request unless CONN_MAX_AGE says otherwise: the suite's own threads (live servers, workers,
# concurrency tests) must leave no connection open past a test. tests/cms/test_persistent_connections.py
# serves requests on a kept connection as production does.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "0"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="bianmin-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "operations.sms.LocmemSmsBackend"
# Keep Redis out of unit tests unless the run asks for it explicitly.
if not os.environ.get("TEST_REDIS_URL"):
    CACHES = {  # noqa: F405
        alias: {
            **config,
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{alias}",
        }
        for alias, config in CACHES.items()  # noqa: F405
    }
PAGE_CACHE_SECONDS = 0  # tests opt in (tests/cms/test_page_cache.py)
SPARE_SCHEMAS = 0  # tests opt in (tests/tenants/test_spares.py): a refill clones the template
# WhiteNoise looks files up per request (no collectstatic before tests, so no var/static needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tasks run in the test's own process and transaction (eager); tests/portal/test_jobs_worker.py runs a real
# worker against the machine's Redis.
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
