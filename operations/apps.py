from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Center operations")

    def ready(self):
        # Imported here, not at the top of the module: models may be imported only once the app
        # registry is ready, which is what ready() is for.
        from operations import signin_audit
        from operations.provisioning import center_operations_install, first_admin_profile_create
        from operations.services.complaints import complaint_head_office_answer
        from operations.services.elder_needs import elder_need_work_order_moved
        from operations.services.proposals import proposal_apply_decision, proposal_review_acknowledged
        from operations.services.purchasing import purchase_request_apply_decision
        from operations.services.work_orders import work_order_status_listen
        from portal.decisions import register_decision_handler
        from tenants.provisioning import DEFAULTS, PROFILE, register_provisioning_step

        register_provisioning_step(DEFAULTS, center_operations_install, ahead=True)
        register_provisioning_step(PROFILE, first_admin_profile_create)
        register_decision_handler("purchase_request", purchase_request_apply_decision)
        register_decision_handler("major_complaint", complaint_head_office_answer)
        register_decision_handler("service_project", proposal_apply_decision)
        register_decision_handler("service_review", proposal_review_acknowledged)
        work_order_status_listen(elder_need_work_order_moved)
        signin_audit.connect()
        # The center's jobs register themselves by name (portal.jobs): the web process needs their names and
        # labels too (head office's 定时任务 page), not only the worker that autodiscovers them.
        from operations import jobs  # noqa: F401
