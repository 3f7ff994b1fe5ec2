"""Production: refuses to start without SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS; HTTPS only."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import database_from_env, env_bool, env_list
from .observability import logging_config

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
DATABASES = {"default": database_from_env(allow_embedded=False)}
# Every web process must see a center's suspension (and a published page) at once: the host → center
# lookups, the page cache and the rate limits live in one shared cache, never in each process.
# (ALLOW_PROCESS_LOCAL_CACHE=1 is for one single web process, or to benchmark the difference.)
if not os.environ.get("REDIS_URL") and not env_bool("ALLOW_PROCESS_LOCAL_CACHE", False):
    raise ImproperlyConfigured("REDIS_URL must be set in production: the web processes share one cache.")
SITE_PORT = int(os.environ.get("SITE_PORT", "443"))
# Static files under content-hashed names, compressed, cached for ever by browsers (WhiteNoise).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
LOGGING = logging_config(os.environ.get("LOG_FORMAT", "json"))  # JSON lines unless LOG_FORMAT=text

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Wagtail's live preview shows pages in a same-origin iframe, so SAMEORIGIN (not DENY).
# HSTS preload is a commitment to browsers' preload lists: opt in with SECURE_HSTS_PRELOAD.
SILENCED_SYSTEM_CHECKS = ["security.W019"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
