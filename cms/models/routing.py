"""Serving pages to residents: which pages are visible now, and serving them in fewer queries
(one-query routing to children of a known type, one-query view restrictions)."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction

from cms.serving import center_has_view_restrictions


def visible_now(pages):
    """Live pages whose go-live time has come and whose expiry has not (a page queryset)."""
    now = timezone.now()
    return pages.live().filter(
        Q(go_live_at__isnull=True) | Q(go_live_at__lte=now),
        Q(expire_at__isnull=True) | Q(expire_at__gt=now),
    )


class OneQueryViewRestrictionsMixin:
    """Wagtail's view-restriction rule for a page in one query instead of two, and none in a center
    without any restriction (``cms.serving`` remembers which centers have some)."""

    def get_view_restrictions(self):
        """This page's and its ancestors' restrictions, aliases resolved to their source."""
        if not center_has_view_restrictions():
            return PageViewRestriction.objects.none()
        if self.alias_of_id is not None:
            return super().get_view_restrictions()
        ancestors = Page.objects.filter(
            path__in=[self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]
        )
        return PageViewRestriction.objects.filter(
            Q(page_id=self.pk)
            | Q(page__in=ancestors.filter(alias_of__isnull=True))
            | Q(page__in=ancestors.filter(alias_of__isnull=False).values("alias_of"))
        )


class OneTypeChildrenRouteMixin:
    """For an index whose children are all of ``child_page_model``: find the child in one query.

    Wagtail's generic route loads the child as a plain page, then its content type, then the
    specific page. Drafts still answer 404 (``Page.route`` checks ``live``).
    """

    child_page_model: type[Page]

    def route(self, request, path_components):
        if path_components:
            child = self.child_page_model.objects.child_of(self).filter(slug=path_components[0]).first()
            if child is None:
                raise Http404
            child._cached_parent_obj = self
            return child.route(request, path_components[1:])
        return super().route(request, path_components)
