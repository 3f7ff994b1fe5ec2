"""办事指南 on the residents' site: every published item with everything told at once (一次性告知)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.test.utils import WagtailPageTestCase

import pytest

from cms.models import HomePage, ServiceGuidePage
from operations.models import RequiredMaterial, ServiceItem
from operations.services.guide import service_guide_install_defaults
from tests.base import CenterTestCase


def add_item(name: str, *, materials: int = 2, **fields) -> ServiceItem:
    fields.setdefault("procedure", "前台登记\n核对材料\n办结回访")
    item = ServiceItem.objects.create(name=name, **fields)
    RequiredMaterial.objects.bulk_create(
        RequiredMaterial(service_item=item, name=f"{name}材料{n}", form="copy", copies=n + 1, sort_order=n)
        for n in range(materials)
    )
    return item


class ServiceGuidePageTests(CenterTestCase, WagtailPageTestCase):
    def setUp(self):
        super().setUp()
        self.garage = add_item(
            "车位租赁",
            category="convenience",
            description="小区地下车位月租办理。",
            time_limit_value=3,
            time_limit_unit="working_days",
            fee_type="paid",
            fee_amount=Decimal("300"),
            fee_basis="物价局备案收费标准",
            legal_basis="《物业服务合同》第十二条",
            sort_order=1,
        )
        RequiredMaterial.objects.create(
            service_item=self.garage, name="行驶证", form="both", copies=1, note="车主本人", sort_order=9
        )
        self.hidden = add_item("内部试行事项", is_published=False)

    def test_page_tree_rules(self):
        self.assertAllowedParentPageTypes(ServiceGuidePage, {HomePage})
        self.assertAllowedSubpageTypes(ServiceGuidePage, set())
        assert not ServiceGuidePage.can_create_at(HomePage.objects.get())  # one per site, installed
        self.assertPageIsRenderable(ServiceGuidePage.objects.get())

    def test_every_published_item_with_materials_procedure_limit_fee_and_basis(self):
        response = self.client.get("/guide/")
        assert response.status_code == 200
        body = response.content.decode()
        anchor = f"item-{self.garage.pk}"
        # Contents at the top, linking to an anchor per item.
        assert f'href="#{anchor}"' in body and f'id="{anchor}"' in body
        assert body.index(f'href="#{anchor}"') < body.index(f'id="{anchor}"')
        section = body[body.index(f'id="{anchor}"') :]
        section = section[: section.index("</section>")]
        for text in (
            "车位租赁材料0",
            "车位租赁材料1",
            "行驶证",
            "车主本人",
            "前台登记",
            "核对材料",
            "办结回访",
        ):
            assert text in section
        assert "300.00" in section and "物价局备案收费标准" in section
        assert "《物业服务合同》第十二条" in section
        assert "3" in section
        assert "内部试行事项" not in body

    def test_default_items_are_listed_in_order(self):
        service_guide_install_defaults()
        body = self.client.get("/guide/").content.decode()
        names = list(
            ServiceItem.objects.filter(is_published=True)
            .order_by("sort_order", "name")
            .values_list("name", flat=True)
        )
        positions = [body.index(f">{name}</a>") for name in names]
        assert positions == sorted(positions)

    def test_query_count_does_not_grow_with_items(self):
        self.client.get("/guide/")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/guide/")
        for number in range(8):
            add_item(f"新增事项{number}", materials=3)
        self.client.get("/guide/")  # the new items changed the site: warm its navigation again
        with CaptureQueriesContext(connection) as many:
            body = self.client.get("/guide/").content.decode()
        assert "新增事项7材料2" in body
        assert len(many) == len(few)


@pytest.mark.django_db
def test_guide_of_a_center_shows_only_its_items(
    client_a, client_b, center_b, in_center, django_assert_max_num_queries
):
    with in_center(center_b):
        add_item("贝塔专属事项")
    client_a.get("/guide/")  # warms the host lookup and the navigation
    with django_assert_max_num_queries(11):
        alpha = client_a.get("/guide/").content.decode()
    assert "贝塔专属事项" not in alpha
    assert "贝塔专属事项" in client_b.get("/guide/").content.decode()


@pytest.mark.django_db
def test_bookable_items_link_to_their_booking_page(client_a, center_a, in_center):
    from operations.models import BookableService

    with in_center(center_a):
        certificate = ServiceItem.objects.get(name="证明开具")
        repair = ServiceItem.objects.get(name="报修")
        assert BookableService.objects.filter(service_item=certificate).exists()
    body = client_a.get("/guide/").content.decode()
    assert f'href="/booking/{certificate.pk}/"' in body
    assert f'href="/booking/{repair.pk}/"' not in body
    with in_center(center_a):
        BookableService.objects.filter(service_item=certificate).update(is_open=False)
        BookableService.objects.get(service_item=certificate).save()  # the admin's save bumps the cache
    assert f'href="/booking/{certificate.pk}/"' not in client_a.get("/guide/").content.decode()
