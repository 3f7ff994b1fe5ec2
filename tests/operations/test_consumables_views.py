"""Admin pages of consumables and the monthly purchase request."""

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

import pytest

from operations.models import (
    CandyDishCheck,
    Consumable,
    FirstAidUse,
    PurchaseRequest,
    PurchaseRequestStatus,
    StockMovement,
)
from operations.services.consumables import (
    candy_dish_fill,
    candy_dish_lock,
    first_aid_use_record,
    stock_receive,
    stock_use,
)
from operations.services.purchasing import purchase_request_draft
from tests.base import TEST_PASSWORD
from tests.factories import make_user


@pytest.fixture
def desk_client(client_a, center_a, in_center):
    with in_center(center_a):
        make_user("deskv", "前台客服", "前台")
        assert client_a.login(username="deskv", password=TEST_PASSWORD)
        yield client_a


def test_stock_page_shows_low_in_red_with_flat_queries(admin_client, django_assert_max_num_queries, zh):
    candy = Consumable.objects.get(name="糖果")
    for _ in range(5):
        stock_receive(consumable=candy, quantity=1)
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("consumable:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="row--flagged"' in content and "stock-low" in content and "低于最低" in content
    for _ in range(20):
        stock_use(consumable=candy, quantity="0.1")
    with django_assert_max_num_queries(14):
        assert admin_client.get(reverse("consumable:index")).status_code == 200


def test_using_more_than_stock_via_form_shows_error(desk_client, zh):
    plaster = Consumable.objects.get(name="创可贴")
    stock_receive(consumable=plaster, quantity=1)
    response = desk_client.post(
        reverse("stock_movements:add"),
        {"consumable": plaster.pk, "kind": "used", "quantity": "3", "reason": "擦伤"},
    )
    assert response.status_code == 200
    assert "库存" in response.content.decode()
    assert StockMovement.objects.filter(consumable=plaster).count() == 1
    response = desk_client.post(
        reverse("stock_movements:add"),
        {"consumable": plaster.pk, "kind": "adjusted", "quantity": "1", "reason": ""},
    )
    assert response.status_code == 200
    assert StockMovement.objects.filter(consumable=plaster).count() == 1
    response = desk_client.post(
        reverse("stock_movements:add"),
        {"consumable": plaster.pk, "kind": "used", "quantity": "1", "reason": "擦伤"},
    )
    assert response.status_code == 302
    plaster.refresh_from_db()
    assert plaster.stock == 0


def test_candy_ticks_and_twice_refused_via_page(desk_client, zh):
    url = reverse("consumables_pages:candy")
    assert desk_client.get(url).status_code == 200
    desk_client.post(url, {"action": "fill"})
    response = desk_client.post(url, {"action": "fill"}, follow=True)
    assert "已" in response.content.decode()
    desk_client.post(url, {"action": "lock"})
    check = CandyDishCheck.objects.get(date=timezone.localdate())
    assert check.filled_by.username == "deskv" and check.locked_by.username == "deskv"
    assert desk_client.post(url, {"action": "nonsense"}).status_code == 302


def test_candy_history_flat_queries(admin_client, django_assert_max_num_queries):
    admin = get_user_model().objects.get(username="admin")
    today = timezone.localdate()
    for days_ago in range(30, 0, -1):  # a month of history, one evening not locked
        day = today - datetime.timedelta(days=days_ago)
        morning, evening = (
            timezone.make_aware(datetime.datetime.combine(day, datetime.time(h))) for h in (8, 18)
        )
        candy_dish_fill(date=day, acting_user=admin, at=morning)
        if days_ago != 7:
            candy_dish_lock(date=day, acting_user=admin, at=evening)
    with django_assert_max_num_queries(14):
        assert admin_client.get(reverse("consumables_pages:candy")).status_code == 200


def test_first_aid_page_records_use_and_lists_flat(admin_client, django_assert_max_num_queries):
    swabs = Consumable.objects.get(name="棉签")
    stock_receive(consumable=swabs, quantity=5)
    url = reverse("first_aid_uses:index")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = admin_client.post(
        reverse("first_aid_uses:add"),
        {
            "used_at": now,
            "patient_kind": "staff",
            "what_happened": "划伤",
            "item_0": swabs.pk,
            "quantity_0": "9",
        },
    )
    assert response.status_code == 200 and not FirstAidUse.objects.exists()
    response = admin_client.post(
        reverse("first_aid_uses:add"),
        {
            "used_at": now,
            "patient_kind": "staff",
            "what_happened": "划伤",
            "item_0": swabs.pk,
            "quantity_0": "1",
            "called_120": "on",
        },
    )
    assert response.status_code == 302
    use = FirstAidUse.objects.get()
    assert use.called_120 and use.movements.get().quantity == -1
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for index in range(5):
        first_aid_use_record(patient_kind="resident", what_happened=f"头晕 {index}", items=[(swabs, "0.1")])
    with django_assert_max_num_queries(len(one.captured_queries)):  # flat: more uses, no more queries
        assert admin_client.get(url).status_code == 200
    assert len(one.captured_queries) <= 18


def test_first_aid_names_masked_without_contact_permission(client_a, center_a, in_center):
    with in_center(center_a):
        make_user("officer", "社区文化活动专员", perms=("operations.view_firstaiduse",))
        first_aid_use_record(patient_kind="resident", patient_name="王秀英", what_happened="擦伤")
        client_a.login(username="officer", password=TEST_PASSWORD)
        content = client_a.get(reverse("first_aid_uses:index")).content.decode()
        assert "王秀英" not in content and "王" in content
        use = FirstAidUse.objects.get(patient_name="王秀英")
        content = client_a.get(reverse("first_aid_uses:inspect", args=[use.pk])).content.decode()
        assert "王秀英" not in content and "王**" in content


def test_purchase_page_flow(admin_client, django_assert_max_num_queries, zh):
    url = reverse("consumables_pages:purchase_request")
    month = timezone.localdate().replace(day=1)
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"action": "draft", "month": f"{month:%Y-%m}"})
    request = PurchaseRequest.objects.get(month=month)
    for line in list(request.lines.all()):
        admin_client.post(url, {"action": "remove_line", "line": line.pk, "month": f"{month:%Y-%m}"})
    response = admin_client.post(url, {"action": "submit", "month": f"{month:%Y-%m}"}, follow=True)
    assert "没有" in response.content.decode() or "无" in response.content.decode()
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.DRAFT
    response = admin_client.post(
        url,
        {
            "action": "set_line",
            "month": f"{month:%Y-%m}",
            "description": "",
            "quantity": "2",
            "reason": "other",
        },
    )
    assert response.status_code == 200 and not request.lines.exists()
    for index in range(6):
        admin_client.post(
            url,
            {
                "action": "set_line",
                "month": f"{month:%Y-%m}",
                "description": f"文具 {index}",
                "quantity": "2",
                "unit": "包",
                "reason": "other",
            },
        )
    assert request.lines.count() == 6
    with django_assert_max_num_queries(16):
        assert admin_client.get(url, {"month": f"{month:%Y-%m}"}).status_code == 200
    assert admin_client.post(url, {"action": "submit", "month": f"{month:%Y-%m}"}).status_code == 302
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.SUBMITTED
    response = admin_client.post(url, {"action": "submit", "month": f"{month:%Y-%m}"}, follow=True)
    assert response.status_code == 200
    response = admin_client.post(url, {"action": "receive", "month": f"{month:%Y-%m}"}, follow=True)
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.SUBMITTED
    assert admin_client.get(url, {"month": "garbage"}).status_code == 200


def test_front_desk_cannot_submit(desk_client):
    month = datetime.date(2026, 10, 1)
    purchase_request_draft(month=month)
    url = reverse("consumables_pages:purchase_request")
    assert desk_client.get(url, {"month": "2026-10"}).status_code == 200
    desk_client.post(url, {"action": "submit", "month": "2026-10"})
    assert PurchaseRequest.objects.get(month=month).status == PurchaseRequestStatus.DRAFT


def test_consumable_viewset_create_and_edit(admin_client, zh):
    response = admin_client.post(
        reverse("consumable:add"),
        {
            "name": "口罩",
            "category": "other",
            "unit": "盒",
            "minimum_level": "1",
            "target_level": "3",
            "active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    mask = Consumable.objects.get(name="口罩")
    response = admin_client.post(
        reverse("consumable:edit", args=[mask.pk]),
        {
            "name": "口罩",
            "category": "other",
            "unit": "盒",
            "minimum_level": "5",
            "target_level": "3",
            "active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200
    mask.refresh_from_db()
    assert mask.minimum_level == 1
    assert admin_client.get(reverse("consumable:index")).status_code == 200


def test_receive_button_once(admin_client, zh):
    from operations.services.purchasing import purchase_request_apply_decision, purchase_request_submit

    month = datetime.date(2026, 9, 1)
    request = purchase_request_draft(month=month)
    purchase_request_submit(request=request, acting_user=get_user_model().objects.get(username="admin"))
    purchase_request_apply_decision(
        reference=str(request.pk), decision="approved", comment="同意", decided_by_name="总部"
    )
    url = reverse("consumables_pages:purchase_request")
    content = admin_client.get(url, {"month": "2026-09"}).content.decode()
    assert "同意" in content and "到货入库" in content
    assert admin_client.post(url, {"action": "receive", "month": "2026-09"}).status_code == 302
    count = StockMovement.objects.filter(purchase_request=request).count()
    assert count >= 1
    response = admin_client.post(url, {"action": "receive", "month": "2026-09"}, follow=True)
    assert "已入库" in response.content.decode()
    assert StockMovement.objects.filter(purchase_request=request).count() == count
    request.refresh_from_db()
    assert request.status == PurchaseRequestStatus.RECEIVED


def test_consumable_with_ledger_cannot_be_deleted(admin_client, zh):
    thermometer = Consumable.objects.get(name="体温计")
    stock_receive(consumable=thermometer, quantity=1)
    response = admin_client.post(reverse("consumable:delete", args=[thermometer.pk]), follow=True)
    assert response.status_code == 200
    assert "不能删除" in response.content.decode()
    assert Consumable.objects.filter(pk=thermometer.pk).exists()
    unused = Consumable.objects.create(name="一次性杯子", unit="包")
    assert admin_client.post(reverse("consumable:delete", args=[unused.pk])).status_code == 302
    assert not Consumable.objects.filter(pk=unused.pk).exists()


def test_quantities_on_screens_and_in_exports_as_people_write_them(admin_client, zh):
    """Issue 9, defect 5: 50 and 2.5 on the stock, the ledger and its export, never 5E+1 or 50.00."""
    candy = Consumable.objects.get(name="糖果")
    stock_receive(consumable=candy, quantity=50)
    stock_use(consumable=candy, quantity="47.5")
    content = admin_client.get(reverse("stock_movements:index")).content.decode()
    assert "50 斤" in content and "-47.5 斤" in content and "E+" not in content
    assert "2.5 斤" in admin_client.get(reverse("consumable:index")).content.decode()
    export = admin_client.get(reverse("stock_movements:index"), {"export": "csv"})
    csv_text = b"".join(export.streaming_content).decode()
    assert ",50," in csv_text and ",-47.5," in csv_text and "50.00" not in csv_text


def test_record_pages_show_history_in_words_and_the_menu_links_every_screen(admin_client, zh):
    candy = Consumable.objects.get(name="糖果")
    movement = stock_receive(consumable=candy, quantity=5, reason="月度采购")
    use = first_aid_use_record(patient_kind="staff", what_happened="划伤")
    page = admin_client.get(reverse("consumable:inspect", args=[candy.pk])).content.decode()
    assert "入库" in page and "0 → 5" in page and "stock_received" not in page
    assert admin_client.get(reverse("stock_movements:inspect", args=[movement.pk])).status_code == 200
    page = admin_client.get(reverse("first_aid_uses:inspect", args=[use.pk])).content.decode()
    assert "划伤" in page and ">create<" not in page
    menu = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    for url in ("consumables_pages:candy", "consumables_pages:purchase_request", "stock_movements:add"):
        assert reverse(url) in menu


def test_the_record_page_reads_as_staff_write(admin_client):
    """Found on a walk-through: UTC times, True/False, logins and an ID row on a use's page; the
    consumable's unit labelled 房号 (a housing unit); the export named after the table."""
    admin = get_user_model().objects.get(username="admin")
    admin.first_name = "中心负责人"
    admin.save()
    used_at = timezone.make_aware(datetime.datetime(2026, 11, 3, 10, 15))
    use = first_aid_use_record(
        used_at=used_at, patient_kind="staff", what_happened="划伤", called_120=True, acting_user=admin
    )
    page = admin_client.get(reverse("first_aid_uses:inspect", args=[use.pk])).content.decode()
    assert "2026-11-03 10:15" in page and "02:15" not in page
    assert "True" not in page and "中心负责人" in page and ">ID<" not in page and "详情" in page
    swabs = Consumable.objects.get(name="棉签")
    page = admin_client.get(reverse("consumable:inspect", args=[swabs.pk])).content.decode()
    assert "单位" in page and "房号" not in page
    export = admin_client.get(reverse("first_aid_uses:index"), {"export": "xlsx"})
    assert 'filename="first-aid-uses.xlsx"' in export["Content-Disposition"]
