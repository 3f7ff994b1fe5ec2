"""The admin shape's shared base (operations.viewsets, operations.viewsets, operations.history),
driven through the first-inquiry register, its worked example."""

import ast
import datetime as dt
from io import BytesIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wagtail.admin.menu import admin_menu

import pytest
from openpyxl import load_workbook

from operations.history import action_label, is_labelled
from operations.models import Inquiry
from tests.factories import make_user
from tests.operations.test_inquiries_views import record

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def staff(guide):
    return {"li": make_user("li", "前台客服", "李前台"), "zhou": make_user("zhou", "前台客服", "周前台")}


def viewer(username="viewer"):
    """A colleague who may see the register but change nothing."""
    user = get_user_model().objects.create_user(username=username, password="x", first_name="只读")
    user.user_permissions.add(
        Permission.objects.get(codename="view_inquiry"), Permission.objects.get(codename="access_admin")
    )
    return user


class TestRecordActions:
    def test_action_without_the_permission_is_refused(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(viewer())
        response = client_a.post(
            reverse("inquiries:action", args=[inquiry.pk, "complete"]), {"resolution": "好了"}
        )
        # Wagtail's admin answers a PermissionDenied with a redirect to the dashboard and a message.
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
        inquiry.refresh_from_db()
        assert inquiry.completed_at is None

    def test_inspect_shows_only_actions_that_apply_and_are_permitted(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        url = reverse("inquiries:inspect", args=[inquiry.pk])
        content = client_a.get(url).content.decode()
        assert 'id="action-complete"' in content and 'id="action-hand-over"' in content
        client_a.force_login(viewer())
        content = client_a.get(url).content.decode()
        assert 'id="action-complete"' not in content
        client_a.force_login(staff["li"])
        client_a.post(reverse("inquiries:action", args=[inquiry.pk, "complete"]), {"resolution": "好了"})
        content = client_a.get(url).content.decode()
        assert 'id="action-complete"' not in content and 'id="action-follow-up"' not in content

    def test_unknown_action_is_404(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        assert client_a.post(reverse("inquiries:action", args=[inquiry.pk, "nonsense"])).status_code == 404

    def test_refusal_keeps_what_was_typed(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        response = client_a.post(
            reverse("inquiries:action", args=[inquiry.pk, "hand-over"]), {"contact": "分机 8002 明早"}
        )
        assert response.status_code == 400
        assert "分机 8002 明早" in response.content.decode()


class TestHistoryInWords:
    def test_history_shows_labels_not_codes(self, staff, client_a, zh):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        client_a.post(reverse("inquiries:action", args=[inquiry.pk, "follow-up"]), {"note": "已电话督办"})
        content = client_a.get(reverse("inquiries:inspect", args=[inquiry.pk])).content.decode()
        history = content.split('class="listing record-history"')[1].split("</table>")[0]
        assert "inquiry_record" not in history and "inquiry_follow_up" not in history
        assert action_label("inquiry_follow_up") in history and "已电话督办" in history

    def test_every_audit_action_of_the_services_has_a_label(self, client_a):
        """Every ``audit_record(action="...")`` of a service reads in words (f-string codes, such as
        work-order transitions, are checked by their area's tests)."""
        client_a.get("/admin/login/")  # the admin's viewsets (and their labels) are registered
        codes = set()
        for path in [
            *(ROOT / "operations" / "services").glob("*.py"),
            *(ROOT / "cms" / "services").glob("*.py"),
        ]:
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record":
                    for keyword in node.keywords:
                        if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                            codes.add(keyword.value.value)
        assert len(codes) > 40
        unlabelled = sorted(code for code in codes if not is_labelled(code))
        assert not unlabelled, unlabelled


class TestIndexShape:
    def test_scope_filters_and_menu_links(self, staff, client_a):
        mine = record(staff["li"], matter="我的")
        other = record(staff["zhou"], matter="别人的")
        client_a.force_login(staff["li"])
        content = client_a.get(reverse("inquiries:index") + "?scope=mine").content.decode()
        assert mine.number in content and other.number not in content
        home = client_a.get(reverse("wagtailadmin_home")).content.decode()
        assert reverse("inquiries:index") + "?scope=mine" in home

    def test_export_fills_flagged_rows_red_and_refuses_a_period_over_a_year(self, staff, guide, client_a):
        late = record(staff["li"], service_item=guide["报修"], now=timezone.now() - dt.timedelta(hours=30))
        client_a.force_login(staff["li"])
        today = timezone.localdate()
        params = {"created_from": (today - dt.timedelta(days=2)).isoformat(), "created_to": today.isoformat()}
        response = client_a.get(reverse("inquiries:index"), params | {"export": "xlsx"})
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == late.number)
        assert row[0].fill.fgColor.rgb.endswith("FFC7CE")
        params["created_from"] = (today - dt.timedelta(days=400)).isoformat()
        response = client_a.get(reverse("inquiries:index"), params | {"export": "xlsx"}, follow=True)
        assert "一年" in response.content.decode()
        assert Inquiry.objects.count() == 1


class TestRecordsKeptForTheRegister:
    def test_no_delete_and_edit_opens_the_record(self, staff, client_a):
        inquiry = record(staff["li"])
        client_a.force_login(staff["li"])
        with pytest.raises(NoReverseMatch):
            reverse("inquiries:delete", args=[inquiry.pk])
        response = client_a.get(reverse("inquiries:edit", args=[inquiry.pk]))
        assert response.status_code == 302 and response.url == reverse("inquiries:inspect", args=[inquiry.pk])
        content = client_a.get(reverse("inquiries:inspect", args=[inquiry.pk])).content.decode()
        assert "/delete/" not in content


def test_the_areas_sit_together_between_pages_and_images_in_the_menu(client_a):
    """Found on a walk-through: 部门, 图片 and 文档 stood between the center's areas."""
    client_a.get("/admin/login/")  # the admin's menu is registered
    request = RequestFactory().get("/admin/", HTTP_HOST="alpha.localhost")
    request.user = get_user_model().objects.get(username="admin")
    items = sorted(admin_menu.menu_items_for_request(request), key=lambda item: item.order)
    names = [item.name for item in items]
    wagtails = {"explorer", "images", "documents", "snippets", "reports", "help", "settings"}
    ours = [i for i, name in enumerate(names) if name not in wagtails]
    assert names.index("explorer") < min(ours) and max(ours) < names.index("images"), names
