"""服务承诺与满意度: the previous month's figures from head office's rollup, published on the
center's site once a month as a page of its own (history kept), linked from the home page, and
changed by nobody by hand."""

import datetime as dt
import io

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

import pytest

from cms.models import EvaluationIndexPage, EvaluationPage
from cms.services.evaluations import evaluation_publish, evaluation_publish_due
from portal.models import CenterMonth
from tenants.models import ServiceCenter
from tests.base import TEST_PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("alpha")

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1)


def rollup(month, **values):
    center = ServiceCenter.objects.get(schema_name=connection.schema_name)
    defaults = {
        "work_orders_completed": 40,
        "work_orders_in_time": 38,
        "complaints_replied": 4,
        "complaints_replied_in_time": 4,
        "ratings": 50,
        "ratings_satisfied": 46,
        "responses": 30,
        "activities_held": 3,
        **values,
    }
    CenterMonth.objects.update_or_create(center=center, month=month, defaults=defaults)


def test_last_months_figures_are_published_and_linked_from_the_home_page(client_a):
    rollup(LAST_MONTH)
    page = evaluation_publish(month=LAST_MONTH)
    assert page.live and (page.in_time_percent, page.satisfaction_percent) == (95.0, 92.0)
    home = client_a.get("/").content.decode()
    assert "服务承诺与满意度" in home and "95.0%" in home and "92.0%" in home
    body = client_a.get(page.url).content.decode()
    assert "38" in body and "40" in body and "30 份回复" in body


def test_one_page_per_month_and_the_history_stays(client_a):
    rollup(LAST_MONTH)
    first = evaluation_publish(month=LAST_MONTH)
    rollup(LAST_MONTH, work_orders_in_time=39)  # the nightly rebuild corrected the month
    again = evaluation_publish(month=LAST_MONTH)
    assert again.pk == first.pk and EvaluationPage.objects.get(pk=first.pk).work_orders_in_time == 39
    earlier = (LAST_MONTH - dt.timedelta(days=1)).replace(day=1)
    rollup(earlier, work_orders_in_time=30)
    evaluation_publish(month=earlier)
    assert EvaluationIndexPage.objects.count() == 1 and EvaluationPage.objects.count() == 2
    listing = client_a.get(EvaluationIndexPage.objects.get().url).content.decode()
    assert listing.index(f"{LAST_MONTH:%Y-%m}") < listing.index(f"{earlier:%Y-%m}")


def test_the_periodic_jobs_publish_last_month_once_after_the_night(client_a):
    rollup(LAST_MONTH)
    first_morning = timezone.make_aware(dt.datetime.combine(THIS_MONTH, dt.time(3, 0)))
    assert evaluation_publish_due(now=first_morning) is None  # before the nightly rebuild
    later = timezone.make_aware(dt.datetime.combine(THIS_MONTH, dt.time(7, 0)))
    assert evaluation_publish_due(now=later).month == LAST_MONTH
    assert evaluation_publish_due(now=later) is None
    out = io.StringIO()
    call_command("run_center_jobs", "--center", "alpha", stdout=out)
    assert EvaluationPage.objects.count() == 1


def test_nobody_edits_the_figures_by_hand(client_a):
    rollup(LAST_MONTH)
    page = evaluation_publish(month=LAST_MONTH)
    head = make_user("zhuren", "中心负责人", "张主任", is_superuser=True)
    admin = Client(HTTP_HOST="alpha.localhost")
    assert admin.login(username=head.username, password=TEST_PASSWORD)
    for url in (
        f"/admin/pages/{page.pk}/edit/",
        f"/admin/pages/{page.pk}/delete/",
        f"/admin/pages/{page.pk}/unpublish/",
        f"/admin/pages/{page.pk}/move/",
    ):
        response = admin.post(url, {"title": "改过的", "work_orders_in_time": "40"})
        assert response.status_code in (302, 403), url
    page = EvaluationPage.objects.get(pk=page.pk)
    assert page.live and page.work_orders_in_time == 38 and page.title != "改过的"
    index = page.get_parent()
    assert admin.get(f"/admin/pages/add/cms/evaluationpage/{index.pk}/").status_code in (302, 403)
