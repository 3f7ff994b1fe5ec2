"""Appointments and the queue in the browser (#14): a resident books the desk on a phone and moves
the booking; the front desk receives the booked resident, calls the queue and takes the application
from the booking; the waiting room's screen follows the calls without reloading."""

import datetime as dt
import re
from collections import Counter

from django.utils import timezone

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from operations.models import Booking, QueueTicket, ServiceApplication, ServiceItem
from operations.services.queue import queue_call_next, queue_ticket_issue
from tests.base import TEST_PASSWORD
from tests.browser.steps import admin_login, assert_no_horizontal_scroll
from tests.factories import make_user
from tests.operations.test_appointments_services import working_day_ahead

HOST = "alpha.localhost"
BLOCKING = {"critical", "serious"}


def local(value: dt.datetime) -> tuple[dt.date, dt.time]:
    value = timezone.localtime(value)
    return value.date(), value.time()


def test_resident_books_an_appointment_on_the_phone_then_moves_it(alpha, live, phone: Page, capsys):
    item = ServiceItem.objects.get(name="证明开具")
    materials = [material.name for material in item.materials.all()]
    assert materials, "证明开具 lists its materials in the default guide"
    day = working_day_ahead(3)

    phone.goto(live.url(HOST))
    phone.locator("nav.resident-actions").get_by_role("link", name="预约办理").click()
    expect(phone).to_have_url(re.compile(r"/booking/$"))
    assert_no_horizontal_scroll(phone)
    phone.get_by_role("link", name="证明开具").click()
    expect(phone).to_have_url(re.compile(rf"/booking/{item.pk}/$"))

    # Everything to bring is told before a time is chosen.
    main = phone.locator("main")
    for name in materials:
        expect(main).to_contain_text(name)
    found = Axe().run(phone).response["violations"]
    with capsys.disabled():
        counts = Counter(violation["impact"] for violation in found)
        print("\naxe booking: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    assert not [(v["id"], v["impact"]) for v in found if v["impact"] in BLOCKING]
    assert_no_horizontal_scroll(phone)

    # Typed fields survive choosing a day (the day buttons post the form back).
    phone.locator("[name=name]").fill("刘芳")
    phone.locator("[name=phone]").fill("139 1234 5678")
    phone.locator(f"button.bk-day[value='{day:%Y-%m-%d}']").click()
    expect(phone.locator(f"button.bk-day[value='{day:%Y-%m-%d}']")).to_have_attribute("aria-current", "date")
    expect(phone.locator("[name=name]")).to_have_value("刘芳")
    phone.locator("label.bk-slot", has=phone.locator(f"input[value='{day:%Y-%m-%d}T09:00']")).click()
    expect(phone.locator(f"input[name=starts_at][value='{day:%Y-%m-%d}T09:00']")).to_be_checked()
    phone.locator("button[name=book]").click()

    expect(phone).to_have_url(re.compile(r"/booking/done/"))
    code = phone.locator(".bk-code").inner_text().strip()
    expect(phone.locator(".bk-time")).to_contain_text(f"{day:%Y-%m-%d}")
    expect(phone.locator(".bk-time")).to_contain_text("09:00")
    for name in materials:
        expect(phone.locator(".bk-materials")).to_contain_text(name)
    assert_no_horizontal_scroll(phone)
    booking = Booking.objects.get(code=code)
    assert booking.status == Booking.Status.BOOKED and booking.service_item == item
    assert local(booking.starts_at) == (day, dt.time(9, 0))

    phone.get_by_role("link", name="取消或改约").click()
    expect(phone).to_have_url(re.compile(r"/booking/manage/$"))
    phone.locator("[name=code]").fill(code)
    phone.locator("[name=phone_last_four]").fill("5678")
    phone.get_by_role("button", name="查找我的预约").click()
    expect(phone.locator(".bk-booking")).to_contain_text(code)
    expect(phone.locator(".bk-booking .bk-time")).to_contain_text("09:00")
    expect(phone.get_by_role("button", name="取消这个预约")).to_be_visible()

    move = phone.locator("form.bk-move")
    move.locator(f"button.bk-day[value='{day:%Y-%m-%d}']").click()
    move = phone.locator("form.bk-move")
    move.locator("label.bk-slot", has=phone.locator(f"input[value='{day:%Y-%m-%d}T10:00']")).click()
    move.get_by_role("button", name="改到这个时间").click()
    expect(phone.locator(".pf-done")).to_contain_text("已改期")
    expect(phone.locator(".bk-booking .bk-time")).to_contain_text("10:00")
    assert_no_horizontal_scroll(phone)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert local(booking.starts_at) == (day, dt.time(10, 0))
    assert Booking.objects.count() == 1


def test_front_desk_receives_a_booked_resident_and_calls_the_queue(alpha, live, desktop: Page):
    item = ServiceItem.objects.get(name="证明开具")
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 0)))
    booking = Booking.objects.create(  # its slot began at midnight: today, and already begun
        code="TODAY001",
        service_item=item,
        starts_at=midnight,
        ends_at=midnight + dt.timedelta(minutes=15),
        name="刘芳",
        phone="13912345678",
    )
    walk_in = queue_ticket_issue()  # A001 has waited longer than the booked resident
    make_user("qiantai", "前台客服", "李前台", password=TEST_PASSWORD)

    admin_login(desktop, live.url(HOST, "/admin/login/"), "qiantai", TEST_PASSWORD)
    desktop.get_by_role("button", name="预约与排队", exact=True).click()
    desktop.get_by_role("list", name="预约与排队").get_by_role("link", name="排队叫号").click()
    expect(desktop).to_have_url(re.compile(r"/admin/operations/queue/$"))
    expect(desktop.locator("table.queue-waiting")).to_contain_text(walk_in.display)

    row = desktop.locator("table.queue-bookings tr", has_text=booking.code)
    row.get_by_role("button", name="已到达，取号").click()
    expect(desktop.locator("main")).to_contain_text("Y001")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ARRIVED and booking.ticket.display == "Y001"

    desktop.goto(live.url(HOST, "/admin/operations/queue/"))
    desktop.locator("#queue-call [name=counter]").fill("2号窗口")
    desktop.locator(".queue-call-next").click()
    expect(desktop.locator(".queue-current")).to_have_text("Y001")  # booked residents first in their slot
    expect(desktop.locator("#queue-call")).to_contain_text("2号窗口")
    expect(desktop.locator("table.queue-waiting")).to_contain_text(walk_in.display)
    ticket = QueueTicket.objects.get(booking=booking)
    assert ticket.status == QueueTicket.Status.CALLED and ticket.counter == "2号窗口"
    walk_in.refresh_from_db()
    assert walk_in.status == QueueTicket.Status.WAITING

    desktop.locator("#queue-call").get_by_role("link", name=booking.code).click()
    expect(desktop).to_have_url(re.compile(rf"/{booking.pk}/$"))
    expect(desktop.locator(".booking-ticket")).to_contain_text("Y001")
    desktop.locator("a.booking-apply").click()
    expect(desktop.locator(".application-booking")).to_contain_text(booking.code)
    expect(desktop.locator("[name=applicant_name]")).to_have_value("刘芳")
    boxes = desktop.locator("input[name=materials]")
    assert boxes.count() == item.materials.count() > 0
    for index in range(boxes.count()):
        boxes.nth(index).check()
    expect(desktop.get_by_role("radio", name=re.compile("核对材料"))).to_be_checked()
    desktop.get_by_role("button", name="登记受理").click()

    expect(desktop.locator("body")).to_contain_text("受理回执")
    expect(desktop.locator("body")).to_contain_text(re.compile(r"我们承诺于\s*\S.*前办结"))
    booking.refresh_from_db()
    application = ServiceApplication.objects.get()
    assert booking.status == Booking.Status.SERVED and booking.application == application
    assert application.service_item == item and application.due_at is not None
    expect(desktop.locator("body")).to_contain_text(application.number)


def test_the_waiting_room_screen_follows_the_calls_without_reloading(alpha, live, desktop: Page):
    clerk = make_user("desk_screen", "前台客服", "前台小吴")

    desktop.goto(live.url(HOST, "/queue/screen/"))
    number = desktop.locator("[data-field=number]")
    expect(number).to_have_text("—")
    desktop.evaluate("window.__marker = 1")

    # The screen polls on its own: hold the shared connection while the test writes on it.
    with live.app.lock:
        queue_ticket_issue(acting_user=clerk)
        ticket = queue_call_next(acting_user=clerk, counter="3号窗口")
    assert ticket is not None and ticket.display == "A001"

    expect(number).to_have_text("A001", timeout=15_000)
    expect(desktop.locator("[data-field=counter]")).to_contain_text("3号窗口")
    assert desktop.evaluate("window.__marker") == 1  # the page was not reloaded
