"""URLs of the head-office host (public schema)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path, reverse_lazy

from portal import (
    errors,
    views,
    views_audit,
    views_dashboard,
    views_inbox,
    views_jobs,
    views_news,
    views_proposals,
    views_signin,
    views_twofactor,
)

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

portal_patterns = [
    path("", views.center_list, name="center_list"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:login"), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="portal/password_change.html",
            success_url=reverse_lazy("portal:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="portal/password_change_done.html"),
        name="password_change_done",
    ),
    path("centers/new/", views.center_create, name="center_create"),
    path("centers/<int:pk>/suspend/", views.center_suspend, name="center_suspend"),
    path("centers/<int:pk>/reactivate/", views.center_reactivate, name="center_reactivate"),
    path("centers/<int:pk>/two-factor/", views.center_two_factor, name="center_two_factor"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/thresholds/", views_dashboard.threshold_edit, name="thresholds"),
    path("dashboard/trends/", views_dashboard.trends, name="trends"),
    path("dashboard/league/", views_dashboard.league_table, name="league"),
    path("dashboard/heat-map/", views_dashboard.heat, name="heat_map"),
    path("dashboard/centers/<int:pk>/", views_dashboard.center_summary, name="center_summary"),
    path("projects/", views_proposals.project_list, name="projects"),
    path("projects/<int:pk>/model/", views_proposals.project_mark_model, name="project_mark_model"),
    path("news/", views_news.news_list, name="news"),
    path("sign-in/lockouts/", views_signin.lockout_list, name="signin_lockouts"),
    # The second sign-in step (open before it is passed: portal.twofactor.protected) …
    path("two-factor/verify/", views_twofactor.VerifyView.as_view(), name="two_factor_verify"),
    path("two-factor/setup/", views_twofactor.SetupView.as_view(), name="two_factor_setup"),
    # … and the account's own settings and the administrators' resets (behind it).
    path("account/two-factor/", views_twofactor.ManageView.as_view(), name="two_factor"),
    path("sign-in/two-factor/", views_twofactor.AccountsView.as_view(), name="two_factor_accounts"),
    path("audit/", views_audit.audit_list, name="audit"),
    path("jobs/", views_jobs.job_list, name="jobs"),
    path("inbox/", views_inbox.inbox_list, name="inbox_list"),
    path("inbox/<int:pk>/", views_inbox.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/decide/", views_inbox.inbox_decide, name="inbox_decide"),
    path(
        "inbox/<int:pk>/attachments/<int:attachment_pk>/",
        views_inbox.inbox_attachment,
        name="inbox_attachment",
    ),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += staticfiles_urlpatterns()
