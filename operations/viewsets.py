"""``OperationsViewSet``: the base of every record type's admin (DESIGN.md, "The admin shape").

A Wagtail ``ModelViewSet`` with our defaults (no copy view, not in the reference index, an inspect
view), the record's actions declared once (``actions``, run at ``<pk>/action/<name>/``), and the
labels of its services' audit actions (``history_labels``) so its history reads in words.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import path

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from operations.history import register_history_labels
from operations.views.base import RecordActionView, RecordInspectView


class KeptRecordsPolicy(ModelPermissionPolicy):
    """Records kept for the register (loans, activities, complaints…): nobody deletes them in the
    admin, whatever their groups say — they are closed, cancelled or retired instead."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != "delete"])


class OperationsViewSet(ModelViewSet):
    copy_view_enabled = False
    add_to_reference_index = False
    inspect_view_enabled = True
    inspect_view_class = RecordInspectView
    action_view_class = RecordActionView
    actions: tuple = ()
    history_labels: dict = {}
    # Records changed only through their actions have no edit form ("edit" links open the record);
    # records kept for the register are never deleted (no delete view, no delete buttons).
    edit_view_enabled = True
    delete_view_enabled = True

    def on_register(self):
        if not self.delete_view_enabled and policy_registry.get_by_type(self.model, fallback=False) is None:
            register_permission_policy(self.model, KeptRecordsPolicy(self.model))
        super().on_register()
        register_history_labels(self.history_labels)

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(
            actions=tuple(self.actions), action_url_name=self.get_url_name("action"), **kwargs
        )
        if not self.edit_view_enabled:
            view_kwargs["edit_url_name"] = None
        if not self.delete_view_enabled:
            view_kwargs["delete_url_name"] = None
        return view_kwargs

    @property
    def action_view(self):
        return self.construct_view(
            self.action_view_class,
            inspect_url_name=self.get_url_name("inspect"),
            inspect_view=self.inspect_view,
        )

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        if not self.edit_view_enabled:
            inspect = self.get_url_name("inspect")
            urlpatterns = [
                path(p.pattern._route, lambda request, pk: redirect(inspect, pk), name="edit")
                if p.name == "edit"
                else p
                for p in urlpatterns
            ]
        if not self.delete_view_enabled:
            urlpatterns = [p for p in urlpatterns if p.name != "delete"]
        if self.actions:
            conv = self.pk_path_converter
            urlpatterns.append(
                path(f"action/<{conv}:pk>/<slug:action_name>/", self.action_view, name="action")
            )
        return urlpatterns
