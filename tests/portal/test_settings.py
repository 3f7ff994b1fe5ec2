"""Settings come from the environment and are safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "k8#v2@pQ9!zR7^wL4&mN6*bT1$yH3%cF5(jD0)gS8-eA2+uX7=iO9",
    "ALLOWED_HOSTS": ".bianmin.example.com",
    "DATABASE_URL": "postgresql://bianmin@db.internal:5432/bianmin",
    "BASE_DOMAIN": "hq.bianmin.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
}


def run(code_or_args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop and k not in PROD_ENV}
    env.update(env_overrides)
    args = code_or_args if isinstance(code_or_args, list) else [sys.executable, "-c", code_or_args]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


SETUP = "import django; django.setup(); from django.conf import settings; "


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    result = run(SETUP + "print(settings.DEBUG)", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_without_database_url():
    env = {k: v for k, v in PROD_ENV.items() if k != "DATABASE_URL"}
    result = run(SETUP + "print(settings.DEBUG)", env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_production_passes_check_deploy():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_base_is_safe_by_default():
    from portal.settings import base

    assert base.DEBUG is False or os.environ.get("DEBUG")
    assert os.environ.get("SECRET_KEY", "") == base.SECRET_KEY
    assert base.LANGUAGE_CODE == "zh-hans" and base.TIME_ZONE == "Asia/Shanghai"
    assert (
        "django.contrib.contenttypes" in base.SHARED_APPS
        and "django.contrib.contenttypes" not in base.TENANT_APPS
    )
    for app in ("django.contrib.auth", "django.contrib.sessions"):
        assert app in base.SHARED_APPS and app in base.TENANT_APPS
    assert "wagtail" in base.TENANT_APPS and "wagtail" not in base.SHARED_APPS
    assert "taggit" in base.TENANT_APPS and "operations" in base.TENANT_APPS


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        # Django's Redis cache, with an unreachable Redis a miss instead of an error (portal.cache).
        ("redis://127.0.0.1:6379/3", "portal.cache.ResilientRedisCache"),
    ],
)
def test_redis_cache_only_when_redis_url_is_set(redis_url, backend):
    code = SETUP + "print(sorted({(c['BACKEND'], c['KEY_FUNCTION']) for c in settings.CACHES.values()}))"
    result = run(code, {**PROD_ENV, "REDIS_URL": redis_url, "ALLOW_PROCESS_LOCAL_CACHE": "1"})
    assert result.returncode == 0, result.stderr
    assert backend in result.stdout and "django_tenants.cache.make_key" in result.stdout
    assert result.stdout.count("(") == 1  # every alias: same backend, same key function


def test_media_root_and_hosts_come_from_the_environment(tmp_path):
    code = SETUP + "print(settings.MEDIA_ROOT); print(settings.ALLOWED_HOSTS); print(settings.BASE_DOMAIN)"
    result = run(code, {**PROD_ENV, "MEDIA_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert str(tmp_path) in result.stdout and ".bianmin.example.com" in result.stdout
    assert "hq.bianmin.example.com" in result.stdout


def test_production_serves_static_files_under_hashed_names_and_logs_json():
    code = (
        SETUP + "print(settings.STORAGES['staticfiles']['BACKEND']); "
        "print(settings.LOGGING['handlers']['console']['formatter'])"
    )
    result = run(code, PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["whitenoise.storage.CompressedManifestStaticFilesStorage", "json"]
    result = run(code, {**PROD_ENV, "LOG_FORMAT": "text"})
    assert result.stdout.split()[1] == "text"


def test_gunicorn_config_from_the_environment():
    code = (
        "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(c['bind'], c['workers'], c['timeout'], c['max_requests'], c['max_requests_jitter'], "
        "c['forwarded_allow_ips'], c['logger_class'].__name__)"
    )
    result = run(
        code, {**PROD_ENV, "PORT": "9001", "WEB_CONCURRENCY": "3", "FORWARDED_ALLOW_IPS": "10.0.0.2"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['0.0.0.0:9001']",
        "3",
        "30",
        "1000",
        "100",
        "10.0.0.2",
        "GunicornLogger",
    ]
    default = run("import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])", PROD_ENV)
    assert 3 <= int(default.stdout) <= 8
    # gunicorn itself accepts the file and loads the application with it.
    check = run([sys.executable, "-m", "gunicorn", "--check-config", "-c", "gunicorn.conf.py"], PROD_ENV)
    assert check.returncode == 0, check.stdout + check.stderr
