"""The company website's news page: the latest activity reports of every active center (public)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from portal.news import published_reports_latest

NEWS_PER_PAGE = 20


def news_list(request):
    page = Paginator(published_reports_latest(), NEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/news.html", {"page": page, "reports": page.object_list})
