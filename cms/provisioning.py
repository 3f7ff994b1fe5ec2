"""What the website adds to a new center (provisioning steps, registered in ``CmsConfig.ready()``).

The home page, the sections and the Site are made ahead (``center_site_install``, also when a spare
schema is prepared: ``tenants.spares``); the Site's hostname and name and the home page's title are
the center's own (``center_site_name``, at creation).
"""

from django.conf import settings

from wagtail.models import Page, Site

from cms.models import HomePage
from cms.setup import center_pages_install
from tenants.provisioning import NewCenter

# The home page's title and the Site's host until the center is named (a spare is never served: it has no domain).
UNNAMED_TITLE = "服务中心"
UNNAMED_HOST = "localhost"


def center_site_install(new_center: NewCenter) -> None:
    """The center's home page in place of Wagtail's welcome page, its Site and the site's sections."""
    root = Page.get_first_root_node()
    # The template holds Wagtail's welcome page; the center's own home page replaces it.
    for page in root.get_children().exclude(content_type__model="homepage"):
        page.delete()
    home = root.add_child(instance=HomePage(title=UNNAMED_TITLE, slug="home", live=True))
    Site.objects.all().delete()
    Site.objects.create(
        hostname=UNNAMED_HOST,
        port=settings.SITE_PORT,
        root_page=home,
        is_default_site=True,
        site_name="",
    )
    center_pages_install(home=home)
    new_center.home = home


def center_site_name(new_center: NewCenter) -> None:
    """The Site answers to the center's primary domain under its name; the home page takes the name as title."""
    center = new_center.center
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    site.hostname = new_center.domain
    site.port = settings.SITE_PORT
    site.site_name = center.name
    site.save()
    home = site.root_page.specific
    home.title = home.draft_title = center.name
    home.save(update_fields=["title", "draft_title"])
    new_center.home = home
