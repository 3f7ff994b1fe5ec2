"""The demo (`make demo`): served as production would be (DEBUG off, gunicorn, static files through
WhiteNoise from var/static), with development's safe local defaults (a fixed dev secret, *.localhost
hosts, the embedded PostgreSQL unless DATABASE_URL is set, e-mails as files in var/mail)."""

import os

from .base import *  # noqa: F403
from .base import database_from_env, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1")
SITE_PORT = int(os.environ.get("SITE_PORT", "8000"))
DATABASES = {"default": database_from_env(allow_embedded=True)}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))  # noqa: F405
LOGGING["loggers"]["bianmin"]["level"] = os.environ.get("BIANMIN_LOG_LEVEL", "WARNING")  # noqa: F405
