from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "tests.bench.baseline_site.notices"
    label = "baseline_notices"
    default_auto_field = "django.db.models.BigAutoField"
