"""Admin UI: the panels of a center's admin home (today's duty, my open items, deadline breaches)."""

from django.db import connection

from wagtail import hooks

from operations.views.dashboard import BreachesPanel, DeskTodayPanel, MyItemsPanel, TodayDutyPanel


@hooks.register("construct_homepage_panels")
def add_center_home_panels(request, panels):
    if connection.schema_name == "public":  # the head office has no operations tables
        return
    panels.extend([TodayDutyPanel(request), MyItemsPanel(request), BreachesPanel(request)])
    if request.user.has_perm("operations.view_booking"):
        panels.append(DeskTodayPanel(request))
