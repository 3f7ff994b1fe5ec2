from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Head-office portal")

    def ready(self):
        # A lockout also goes to the log (the record itself is axes' AccessFailureLog).
        from axes.signals import user_locked_out

        from portal.signin import log_lockout

        user_locked_out.connect(log_lockout, dispatch_uid="portal.signin.log_lockout")
