"""Settings shared by every environment, read from the environment and safe by default.

``dev``, ``test`` and ``production`` import this module and change only what differs.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import dj_database_url

from portal.settings.resilience import DATABASE_CONNECT_TIMEOUT, REDIS_CACHE_OPTIONS

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# The head office (public schema) answers on this host; every center has its own domain.
BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost").strip().lower()
# Port of the public URLs of center sites (Wagtail Site.port): 80, 443, or the dev server's.
SITE_PORT = int(os.environ.get("SITE_PORT", "80"))

# --- Applications -----------------------------------------------------------------------------
# django-tenants: SHARED_APPS live in the public schema (head office), TENANT_APPS in every
# center's schema. contenttypes is shared only (DESIGN §5); auth and sessions are in both so
# head office and each center have their own users and sessions.
SHARED_APPS = [
    # tenants before django_tenants: its `migrate` also keeps the center template current.
    "tenants",
    "django_tenants",
    "portal",
    "django.contrib.contenttypes",
    "django.contrib.postgres",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Sign-in attempts and lockouts: in both lists, so each center (and head office) keeps its own.
    "axes",
    # Two-factor sign-in (authenticator codes and recovery codes), per schema like the accounts.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

TENANT_APPS = [
    "django.contrib.auth",
    "django.contrib.sessions",
    "operations",
    "cms",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "django.contrib.sitemaps",
    "wagtail.contrib.sitemaps",
    "wagtail",
    "modelcluster",
    "taggit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

# The demo app has no models: it belongs to neither schema list, only its seed_demo command is needed.
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS] + ["demo"]

TENANT_MODEL = "tenants.ServiceCenter"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "portal.urls"
ROOT_URLCONF = "cms.urls"
# New centers are cloned from this migrated template schema (about 1 s instead of 10+ s of
# migrations). `manage.py migrate` keeps it current; it has no tenant row and no domain.
TENANT_BASE_SCHEMA = "center_template"
# Centers made ahead of time (tenants.spares): creating one renames a spare instead of cloning the template.
SPARE_SCHEMAS = int(os.environ.get("SPARE_SCHEMAS", "2"))
TENANT_CREATION_FAKES_MIGRATIONS = True

MIDDLEWARE = [
    "portal.health.HealthCheckMiddleware",  # /healthz and /readyz on any host, before routing (portal.health)
    "portal.observability.RequestContextMiddleware",  # request id and center on every log line
    "tenants.middleware.CenterTenantMiddleware",
    "portal.middleware.RejectNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response: the site's, or the admin's under /admin/ (portal.csp).
    "portal.csp.SiteCSPMiddleware",
    # Static files in the demo and production (DEBUG off); runserver serves them itself in dev.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.SessionIdleMiddleware",
    # The second sign-in step where an account has or needs an authenticator (portal.twofactor).
    "portal.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out sign-in into our lockout page (portal.signin.lockout_response); keep it last.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.center",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# --- Database -----------------------------------------------------------------------------------
# DATABASE_URL when set; otherwise the embedded server (dev/test settings only, see devdb).
DATABASE_URL = os.environ.get("DATABASE_URL", "")


# Persistent connections by default: a new connection per request costs a residents' page about as much as
# serving it. django-tenants sets search_path (and portal.db bianmin.schema) again on each request's first
# query, so a connection kept from one center's request never answers another's with it; the health check
# replaces one the database dropped. CONN_MAX_AGE=0 goes back to a connection per request.
CONN_MAX_AGE_DEFAULT = 60


def database_from_env(allow_embedded: bool) -> dict:
    conn_max_age = int(os.environ.get("CONN_MAX_AGE", str(CONN_MAX_AGE_DEFAULT)))
    if DATABASE_URL:
        config = dj_database_url.parse(DATABASE_URL, conn_max_age=conn_max_age)
    elif allow_embedded:
        # Imported only without DATABASE_URL: production settings never load the dev server helper.
        from portal import devdb

        config = {**devdb.database_settings(), "CONN_MAX_AGE": conn_max_age}
    else:
        raise ImproperlyConfigured("DATABASE_URL must be set.")
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database.")
    config["ENGINE"] = "portal.db"  # django-tenants backend, see portal/db/base.py
    # A persistent connection broken by a database restart is replaced at its next request's first query,
    # not failed; connecting gives up after DATABASE_CONNECT_TIMEOUT s (portal.settings.resilience).
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    return config


DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------------
# Every alias carries the tenant key function: Wagtail caches site root paths and renditions
# under fixed keys, so without it one center would read another's entries (DESIGN §5).
REDIS_URL = os.environ.get("REDIS_URL", "")


def cache_alias(location_suffix: str) -> dict:
    if REDIS_URL:
        # Redis unreachable is a cache miss, not an error (portal.cache, portal.settings.resilience).
        alias = {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": dict(REDIS_CACHE_OPTIONS),
        }
    else:
        alias = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location_suffix}
    alias["KEY_FUNCTION"] = "django_tenants.cache.make_key"
    alias["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "bianmin")
    return alias


# Whole-page cache of residents' pages per center, dropped on publish/unpublish (cms.cache); 0 = off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# Behind a reverse proxy: rate limits of residents' forms use the last X-Forwarded-For address.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

CACHES = {
    "default": cache_alias("default"),
    "renditions": cache_alias("renditions"),
}

# --- Auth and sessions ----------------------------------------------------------------------------
# Django's validators (their messages come translated with Django): at least PASSWORD_MIN_LENGTH characters,
# not like the user's name, not a common password, not all digits.
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "portal.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# axes first: it refuses a locked-out sign-in before any password is checked (the standalone backend
# answers no permission question, so permissions stay one query, portal.auth_backends).
AUTHENTICATION_BACKENDS = ["portal.auth_backends.LockoutBackend", "portal.auth_backends.ModelBackend1Query"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:center_list"
# Host-only cookies: a session or CSRF token of one center is never sent to another's host.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
# A session ends after SESSION_IDLE_MINUTES without a request: portal.middleware.SessionIdleMiddleware saves a
# signed-in user's session again at most once a minute, which moves its expiry (and the cookie's) on.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_IDLE_REFRESH_SECONDS = 60

# --- Sign-in lockout (django-axes) ------------------------------------------------------------------
# Attempts are kept per schema (axes is in SHARED_APPS and TENANT_APPS): a lockout at one center never
# touches another center or head office. Within a schema, per account and address: AXES_FAILURE_LIMIT
# wrong passwords in a row for one username from one address lock that pair for AXES_COOLOFF_MINUTES;
# the same account from another address, and other accounts, still sign in. DESIGN.md §15.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF_MINUTES", "15"))
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout neither count nor extend it, so the time on the lockout page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address as the residents' rate limits see it (TRUST_X_FORWARDED_FOR behind a proxy).
AXES_CLIENT_IP_CALLABLE = "portal.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The audit trail: every failure (AccessFailureLog, with its locked_out flag) and every sign-in (AccessLog).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Sign-in records (sign-ins, failures, unlocks, two-factor events) older than this are deleted by
# `manage.py prune_signin_records` (daily).
SIGNIN_RECORD_DAYS = int(os.environ.get("SIGNIN_RECORD_DAYS", "180"))


# --- Two-factor sign-in (django-otp; portal.twofactor) ---------------------------------------------
# The name an authenticator app shows beside the account: the center's, or head office's.
def OTP_TOTP_ISSUER(device):  # noqa: N802 - a setting django-otp calls
    from portal.twofactor import issuer

    return issuer(device)


# After a wrong code the next try waits 1, 2, 4 … seconds (capped by django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# No Django admin here: axes' admin classes are never registered.
AXES_ENABLE_ADMIN = False

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static_src"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Per-schema media: files of a center are stored under MEDIA_ROOT/<schema>/ and served only
# on that center's host (see cms.views.serve_media).
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Wagtail -------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = _("Bianmin service center")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"http://{BASE_DOMAIN}")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents only through /documents/<id>/<name>, which applies their collection's privacy (never a redirect
# to the file's URL): complaint scans and work-order files are in login-only collections.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg", "jpeg", "png"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# The admin makes no request to outside hosts (unreachable for many centers): no Gravatar (avatars
# are uploaded or initials, cms.wagtail_hooks), no update check, no "what's new" banner.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- E-mail (notifications to staff) -------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@bianmin.localhost")
# SMS to staff: a provider's backend class; the console backend only logs.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "operations.sms.ConsoleSmsBackend")

# --- Security defaults (production tightens further) ------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"bianmin": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# One SET search_path per request instead of per cursor (the middleware resets it each request).
TENANT_LIMIT_SET_CALLS = True

# --- Parts kept in their own modules ----------------------------------------------------------
from portal.settings.jobs import *  # noqa: E402,F403
from portal.settings.observability import *  # noqa: E402,F403
from portal.settings.resilience import *  # noqa: E402,F403
from portal.settings.storage import *  # noqa: E402,F403
from portal.settings.uploads import *  # noqa: E402,F403
