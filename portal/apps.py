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

        # A sign-in counts as activity for the idle expiry (portal.middleware.SessionIdleMiddleware).
        from django.contrib.auth.signals import user_logged_in

        from portal.middleware import session_mark_seen

        user_logged_in.connect(session_mark_seen, dispatch_uid="portal.session_mark_seen")

        # A center made from a spare schema: the pool is topped up in the background (tenants.spares).
        from portal.jobs import spare_pool_refill_queue
        from tenants.signals import center_created

        center_created.connect(spare_pool_refill_queue, dispatch_uid="portal.jobs.spare_pool_refill_queue")
