"""Admin views of community activities: list, form, detail actions, repair intake, compliance, masking."""

import datetime as dt
import inspect
import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wagtail.permissions import policy_registry

import pytest

from cms.services import notices, reports
from operations.history import is_labelled
from operations.models import Activity, ActivityPublicity, ActivityRepairItem, WorkOrder
from operations.services import activities as services
from operations.services.activities import (
    activity_create,
    activity_participant_add,
    activity_publicise,
    activity_publicity_tick,
)
from tests.factories import make_user

LIST_MAX_QUERIES = 14


def make(kind=Activity.Kind.FREE_CLINIC, starts_at=None, title="社区义诊"):
    starts_at = starts_at or timezone.now() - dt.timedelta(hours=1)
    return activity_create(
        acting_user=None,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="中心广场",
    )


def test_list_renders_with_flat_queries(admin_client, django_assert_max_num_queries):
    make(title="<script>alert(1)</script>")
    url = reverse("activities:index")
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert "&lt;script&gt;" in response.content.decode()
    for i in range(15):
        activity = make(title=f"活动{i}")
        activity_participant_add(acting_user=None, activity=activity, name=f"参与者{i}")
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = admin_client.get(
            url, {"kind": "free_clinic", "status": "planned", "year": timezone.now().year}
        )
    assert response.status_code == 200
    assert "活动14" in response.content.decode()
    assert admin_client.get(url, {"year": "abc"}).status_code == 200
    make(kind=Activity.Kind.REPAIR_DAY, title="迎春维修日")
    page = admin_client.get(url, {"kind": "repair_day"}).content.decode()
    assert "迎春维修日" in page and "活动14" not in page
    page = admin_client.get(url, {"year": "2001"}).content.decode()
    assert "迎春维修日" not in page
    assert reverse("activity_compliance:grid") in page


def test_create_form_and_bad_input(admin_client):
    url = reverse("activities:add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"kind": "free_clinic", "title": "", "place": "广场"})
    assert response.status_code == 400
    assert Activity.objects.count() == 0
    response = admin_client.post(
        url,
        {
            "kind": "free_clinic",
            "title": "秋季义诊",
            "starts_at": "2026-12-10T09:00",
            "ends_at": "2026-12-10T08:00",
            "place": "广场",
        },
    )
    assert response.status_code == 400
    assert "结束时间不能早于开始时间" in response.content.decode()
    response = admin_client.post(
        url,
        {
            "kind": "free_clinic",
            "title": "秋季义诊",
            "starts_at": "2026-12-10T09:00",
            "ends_at": "2026-12-10T11:00",
            "place": "广场",
            "partner_phone": "13800138000",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert activity.number.startswith("HD")
    edit = reverse("activities:edit", args=[activity.pk])
    assert admin_client.get(edit).status_code == 200
    response = admin_client.post(
        edit,
        {
            "kind": "free_clinic",
            "title": "冬季义诊",
            "starts_at": "2026-12-10T09:00",
            "ends_at": "2026-12-10T11:00",
            "place": "广场",
            "partner_phone": "bad",
        },
    )
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.title == "秋季义诊"


def test_detail_actions(admin_client):
    activity = make()
    detail = reverse("activities:inspect", args=[activity.pk])
    assert admin_client.get(detail).status_code == 200
    # publicising without a channel: a message, no change
    response = admin_client.post(reverse("activities:action", args=[activity.pk, "publicise"]))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED
    admin_client.post(
        reverse("activities:action", args=[activity.pk, "publicity_tick"]), {"channel": "banner"}
    )
    admin_client.post(
        reverse("activities:action", args=[activity.pk, "publicity_tick"]), {"channel": "banner"}
    )
    assert ActivityPublicity.objects.filter(activity=activity).count() == 1
    admin_client.post(reverse("activities:action", args=[activity.pk, "publicise"]))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLICISED
    response = admin_client.post(reverse("activities:action", args=[activity.pk, "cancel"]), {})
    assert response.status_code == 400
    admin_client.post(reverse("activities:action", args=[activity.pk, "hold"]))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.HELD
    response = admin_client.post(
        reverse("activities:action", args=[activity.pk, "participant_add"]), {"name": "", "phone": "x"}
    )
    assert response.status_code == 400
    response = admin_client.post(
        reverse("activities:action", args=[activity.pk, "participant_add"]),
        {"name": "张阿姨", "phone": "13900001111", "unit": "不存在-1-1"},
    )
    assert response.status_code == 400
    admin_client.post(
        reverse("activities:action", args=[activity.pk, "participant_add"]),
        {"name": "张阿姨", "phone": "13900001111"},
    )
    participant = activity.participants.get()
    admin_client.post(
        reverse("activities:action", args=[activity.pk, "attendance"]),
        {"participant": participant.pk, "attended": "1"},
    )
    participant.refresh_from_db()
    assert participant.attended
    page = admin_client.get(detail).content.decode()
    assert "13900001111" in page and "张阿姨" in page
    assert admin_client.get(reverse("activities:inspect", args=[999999])).status_code == 404


def test_repair_intake_view(admin_client):
    day = make(kind=Activity.Kind.REPAIR_DAY, title="迎中秋义工维修日")
    activity_publicity_tick(acting_user=None, activity=day, channel="sms")
    activity_publicise(acting_user=None, activity=day)
    url = reverse("activities:action", args=[day.pk, "repair"])
    assert "维修日登记" in admin_client.get(reverse("activities:inspect", args=[day.pk])).content.decode()
    response = admin_client.post(
        url, {"description": "水管漏水", "contact_name": "陈先生", "contact_phone": "13800000011"}
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get(source=WorkOrder.Source.ACTIVITY_DAY)
    assert order.department.code == "engineering"
    response = admin_client.post(url, {"description": "墙体开裂", "out_of_scope": "on"})
    assert response.status_code == 400
    response = admin_client.post(
        url,
        {
            "description": "墙体开裂",
            "out_of_scope": "on",
            "advice": "建议联系开发商",
            "contact_name": "周女士",
        },
    )
    assert response.status_code == 302
    assert WorkOrder.objects.count() == 1
    assert ActivityRepairItem.objects.filter(activity=day, out_of_scope=True, work_order=None).count() == 1


def test_compliance_page(admin_client):
    url = reverse("activity_compliance:grid")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "red" in response.content.decode() or "amber" in response.content.decode()
    assert admin_client.get(url, {"year": "x"}).status_code == 200
    assert admin_client.get(url, {"year": "2025"}).status_code == 200


def test_officer_sees_masked_participant_phones(center_a, client_a):
    connection.set_tenant(center_a)
    officer = make_user("wen", "社区文化活动专员")
    assert officer.has_perm("operations.add_activity")
    assert not officer.has_perm("operations.view_resident_contact")
    activity = make()
    activity_participant_add(acting_user=None, activity=activity, name="张阿姨", phone="13900001111")
    client_a.force_login(officer)
    page = client_a.get(reverse("activities:inspect", args=[activity.pk])).content.decode()
    assert "13900001111" not in page
    assert "1111" in page
    assert "张阿姨" not in page  # names masked too, as everywhere for roles without contact permission
    assert client_a.get(reverse("activities:index")).status_code == 200


def test_roles_without_activity_permission_refused(center_a, client_a):
    connection.set_tenant(center_a)
    desk = make_user("li", "部门调度员")
    client_a.force_login(desk)
    make(title="秘密活动")
    for name in ("activities:index", "activities:add", "activity_compliance:grid"):
        response = client_a.get(reverse(name))
        assert response.status_code in (302, 403)  # Wagtail redirects a permission denial to the dashboard
        assert "秘密活动" not in response.content.decode()


def test_organiser_is_picked_and_listed_by_name(admin_client):
    """Issue 9, defect 6: the organiser dropdown listed login names and the list showed no organiser."""
    officer = get_user_model().objects.create_user(
        username="wen_login", password="x", first_name="文", last_name="专员"
    )
    form_page = admin_client.get(reverse("activities:add")).content.decode()
    assert f'<option value="{officer.pk}">文 专员</option>' in form_page
    assert "wen_login" not in form_page
    response = admin_client.post(
        reverse("activities:add"),
        {
            "kind": "free_clinic",
            "title": "重阳义诊",
            "starts_at": "2026-10-10 09:00",
            "ends_at": "2026-10-10 11:00",
            "place": "广场",
            "organiser": officer.pk,
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get().organiser == officer
    make(title="管理员组织的活动")  # no organiser: the cell stays blank, not "None"
    listing = admin_client.get(reverse("activities:index")).content.decode()
    row = listing.split("重阳义诊")[1].split("</tr>")[0]
    assert "文 专员" in row
    assert "None" not in listing.split("管理员组织的活动")[1].split("</tr>")[0]


def test_list_is_paged_not_cut(admin_client):
    for i in range(55):
        make(title=f"分页活动{i:02d}", starts_at=timezone.now() - dt.timedelta(days=i + 1))
    first = admin_client.get(reverse("activities:index")).content.decode()
    assert "分页活动00" in first and "分页活动54" not in first
    second = admin_client.get(reverse("activities:index"), {"p": 2}).content.decode()
    assert "分页活动54" in second


def test_every_audit_action_has_words_and_the_page_shows_them(admin_client):
    written = set(re.findall(r'action="(activity_\w+)"', inspect.getsource(services)))
    written |= {f"activity_{status}" for status in Activity.Status.values if status != "planned"}
    for module in (notices, reports):
        written |= set(re.findall(r'action="(activity_\w+)"', inspect.getsource(module)))
    assert written and not [action for action in sorted(written) if not is_labelled(action)]

    admin = get_user_model().objects.get(username="admin")
    activity = activity_create(
        acting_user=admin,
        kind=Activity.Kind.FREE_CLINIC,
        title="历史活动",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        place="广场",
    )
    admin_client.post(reverse("activities:action", args=[activity.pk, "publicity_tick"]), {"channel": "sms"})
    admin_client.post(reverse("activities:action", args=[activity.pk, "publicise"]))
    page = admin_client.get(reverse("activities:inspect", args=[activity.pk])).content.decode()
    history = page.split('class="listing record-history"')[1].split("</table>")[0]
    assert "activity_" not in history
    assert history.count("<tr>") >= 4  # heading + planned, ticked, publicised


def test_activities_are_cancelled_not_deleted(admin_client):
    activity = make()
    with pytest.raises(NoReverseMatch):
        reverse("activities:delete", args=[activity.pk])
    assert admin_client.post(f"/admin/operations/activities/delete/{activity.pk}/").status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()
    page = admin_client.get(reverse("activities:inspect", args=[activity.pk])).content.decode()
    assert "/delete/" not in page
    admin = get_user_model().objects.get(username="admin")
    assert not policy_registry.get_by_type(Activity).user_has_permission(admin, "delete")


def test_former_colleague_stays_organiser_when_the_plan_is_edited(admin_client):
    former = get_user_model().objects.create_user(
        username="old", password="x", first_name="老", last_name="同事"
    )
    activity = make()
    activity.organiser = former
    activity.save()
    former.is_active = False
    former.save()
    page = admin_client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    assert f'<option value="{former.pk}" selected>老 同事</option>' in page
