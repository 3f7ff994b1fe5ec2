"""Forms of the work orders (工单): intake at the desk and the actions on a work order."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.forms.base import DateTimeField, StaffChoiceField, UnitField, active_staff
from operations.models import DeadlineExtension, Department, ServiceItem, WorkOrder
from operations.selectors.work_orders import repair_service_item_default


class StaffByDepartmentIterator(ModelChoiceIterator):
    """The staff grouped under their departments (those with none recorded last), so a dispatcher
    picks a member of the department the work order goes to."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for user in self.queryset:
            profile = getattr(user, "staff_profile", None)
            department = profile.department if profile and profile.department_id else None
            label = department.name if department else str(_("No department recorded"))
            groups.setdefault(label, []).append(self.choice(user))
        yield from groups.items()


class DepartmentStaffField(StaffChoiceField):
    iterator = StaffByDepartmentIterator

    def __init__(self, *args, **kwargs):
        queryset = active_staff().select_related("staff_profile__department")
        queryset = queryset.order_by(
            "staff_profile__department__sort_order",
            "staff_profile__department__name",
            "first_name",
            "username",
        )
        super().__init__(*args, queryset=queryset, **kwargs)


def _departments():
    return Department.objects.filter(is_active=True)


def _service_items():
    return ServiceItem.objects.filter(is_published=True).select_related("department")


class WorkOrderCreateForm(forms.Form):
    """Front-desk intake (受理)."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=WorkOrder.Kind.choices)
    source = forms.ChoiceField(
        label=gettext_lazy("source"), choices=WorkOrder.Source.choices, initial=WorkOrder.Source.FRONT_DESK
    )
    unit = UnitField(
        label=gettext_lazy("unit"),
        help_text=gettext_lazy("Building-entrance-room, e.g. 3号楼-2单元-1201"),
        error_messages={"unknown": gettext_lazy("There is no unit “%(unit)s”.")},
    )
    contact_name = forms.CharField(label=gettext_lazy("contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("contact phone"), max_length=20, required=False)
    description = forms.CharField(label=gettext_lazy("description"), widget=forms.Textarea(attrs={"rows": 4}))
    service_item = forms.ModelChoiceField(
        label=gettext_lazy("service item"), queryset=_service_items(), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=_departments(), required=False
    )
    assignee = DepartmentStaffField(label=gettext_lazy("assignee"), required=False)
    is_urgent = forms.BooleanField(label=gettext_lazy("urgent (急事急办)"), required=False)
    is_paid = forms.BooleanField(label=gettext_lazy("paid service"), required=False)
    price = forms.DecimalField(
        label=gettext_lazy("price (yuan)"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    photo = forms.FileField(label=gettext_lazy("photo or document"), required=False)


class DispatchForm(forms.Form):
    """受理/派单: the service item (its time limit sets the deadline), the department and one of its staff."""

    service_item = forms.ModelChoiceField(
        label=gettext_lazy("service item"),
        queryset=_service_items(),
        required=False,
        help_text=gettext_lazy(
            "Its time limit sets the committed deadline; left empty, a repair gets the guide’s repair item."
        ),
    )
    department = forms.ModelChoiceField(label=gettext_lazy("department"), queryset=_departments())
    assignee = DepartmentStaffField(label=gettext_lazy("assignee"))
    note = forms.CharField(label=gettext_lazy("note"), required=False)

    def __init__(self, *args, work_order: WorkOrder, **kwargs):
        item = work_order.service_item
        if item is None and work_order.kind == WorkOrder.Kind.REPAIR:
            item = repair_service_item_default()  # what the service will use: show it
        kwargs.setdefault(
            "initial",
            {
                "service_item": item.pk if item else None,
                "department": work_order.department_id or (item.department_id if item else None),
                "assignee": work_order.assignee_id,
            },
        )
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), required=False)


class CompleteForm(forms.Form):
    result_note = forms.CharField(label=gettext_lazy("result"), widget=forms.Textarea(attrs={"rows": 2}))


class CallbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("satisfaction (1–5)"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)]
    )
    comment = forms.CharField(label=gettext_lazy("callback comment"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    new_deadline = DateTimeField(label=gettext_lazy("new deadline"))
    reason = forms.CharField(label=gettext_lazy("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    informed_via = forms.ChoiceField(
        label=gettext_lazy("resident told via"), choices=DeadlineExtension.InformedVia.choices
    )
    informed_at = DateTimeField(label=gettext_lazy("resident told at"))


class AttachForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("photo or document"))
    caption = forms.CharField(label=gettext_lazy("caption"), max_length=100, required=False)
