from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Center website")

    def ready(self):
        # Imported here, not at the top of the module: models may be imported only once the app
        # registry is ready, which is what ready() is for.
        from wagtail.images import get_image_model
        from wagtail.users.models import UserProfile

        from cms import admin_base_url, selectors, signals
        from cms.cache import connect_signals
        from cms.provisioning import center_site_install, center_site_name
        from cms.services.evaluations import evaluation_job
        from cms.services.notices import notice_for_activity
        from cms.services.reports import activity_report_draft
        from operations.hooks import ActivityWebsite, register_activity_website, register_center_job
        from portal.uploads import avatar_pre_save, image_pre_save
        from tenants.provisioning import SITE, SITE_NAME, register_provisioning_step

        signals.connect()
        # Every new image original is re-encoded without metadata, whatever path it came by (#15).
        pre_save.connect(
            image_pre_save, sender=get_image_model(), dispatch_uid="portal.uploads.image_pre_save"
        )
        pre_save.connect(avatar_pre_save, sender=UserProfile, dispatch_uid="portal.uploads.avatar_pre_save")
        connect_signals()
        admin_base_url.install()
        register_provisioning_step(SITE, center_site_install, ahead=True)
        register_provisioning_step(SITE_NAME, center_site_name)
        register_center_job("evaluation", evaluation_job)
        register_activity_website(
            ActivityWebsite(
                notice_publish=notice_for_activity,
                notice_choices=selectors.event_notices_recent,
                notice_find=selectors.notice_find,
                report_draft=activity_report_draft,
                report_page=selectors.activity_report_page,
            )
        )
