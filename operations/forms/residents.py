"""Forms of residents, units, buildings and departments, the department's staff and the owner-list import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.utils import get_user_display_name

from operations.forms.base import active_staff
from operations.imports.residents import COLUMNS
from operations.models import Building, Department, Resident, Unit


class ResidentCreateForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("building")  # "3号楼-2单元-1201"

    class Meta:
        model = Resident
        fields = ["unit", "name", "phone", "relation", "birth_date", "note"]


class ResidentEditForm(ResidentCreateForm):
    class Meta(ResidentCreateForm.Meta):
        fields = [*ResidentCreateForm.Meta.fields, "is_active"]


class UnitForm(WagtailAdminModelForm):
    class Meta:
        model = Unit
        fields = ["building", "entrance", "room"]


class BuildingForm(WagtailAdminModelForm):
    class Meta:
        model = Building
        fields = ["name", "sort_order"]


class DepartmentForm(WagtailAdminModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "phone", "description", "is_active", "sort_order"]


class DepartmentStaffForm(forms.Form):
    """Everyone ticked belongs to the department; a colleague of another department is labelled so."""

    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Staff of this department"),
        queryset=active_staff().select_related("staff_profile__department"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].label_from_instance = self.member_label

    @staticmethod
    def member_label(user) -> str:
        name = get_user_display_name(user)
        profile = getattr(user, "staff_profile", None)
        if profile is not None and profile.department is not None:
            return _("%(name)s (now in %(department)s)") % {"name": name, "department": profile.department}
        return name


class ResidentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Owner list (.xlsx)"),
        help_text=gettext_lazy("Columns: %(columns)s. Birth date and note are optional.")
        % {"columns": "、".join(COLUMNS)},
    )
    create_missing_buildings = forms.BooleanField(
        label=gettext_lazy("Create missing buildings"),
        required=False,
        help_text=gettext_lazy("Without this, rows of buildings that do not exist yet are errors."),
    )
