"""What the website adds to a new center (a provisioning step, registered in ``CmsConfig.ready()``)."""

from django.conf import settings

from wagtail.models import Page, Site

from cms.models import HomePage
from cms.setup import center_pages_install
from tenants.provisioning import NewCenter


def center_site_install(new_center: NewCenter) -> None:
    """The center's home page in place of Wagtail's welcome page, its Site and the site's sections."""
    center = new_center.center
    root = Page.get_first_root_node()
    # The template holds Wagtail's welcome page; the center's own home page replaces it.
    for page in root.get_children().exclude(content_type__model="homepage"):
        page.delete()
    home = root.add_child(instance=HomePage(title=center.name, slug="home", live=True))
    Site.objects.all().delete()
    Site.objects.create(
        hostname=new_center.domain,
        port=settings.SITE_PORT,
        root_page=home,
        is_default_site=True,
        site_name=center.name,
    )
    center_pages_install(home=home)
    new_center.home = home
