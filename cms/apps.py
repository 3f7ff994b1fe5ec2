from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Center website")

    def ready(self):
        from cms import admin_base_url, signals
        from cms.cache import connect_signals

        signals.connect()
        connect_signals()
        admin_base_url.install()
