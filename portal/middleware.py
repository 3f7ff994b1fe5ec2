"""Requests no view should see: NUL bytes, which PostgreSQL refuses in text (a 500 otherwise)."""

from django.core.exceptions import SuspiciousOperation
from django.utils import translation

from portal.errors import error_response_for

NUL = "\x00"


def _has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in querydict.lists())


class RejectNulBytesMiddleware:
    """Answer 400 (the host's own 400 page) to a NUL byte in the path, query, cookies or a urlencoded form.

    Runs right after the host routing, so the page is the center's or the head office's. Multipart
    forms are left to the view: parsing them here would fix their upload handlers before the view
    sets its own, and Django's form fields refuse NUL bytes with a form error anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            language = translation.get_language_from_request(request)
            with translation.override(language):
                return error_response_for(request, 400, SuspiciousOperation("NUL byte in the request"))
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if NUL in request.path or _has_nul(request.GET):
            return True
        if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
            return True
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            return _has_nul(request.POST)
        return False
