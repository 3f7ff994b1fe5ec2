"""Requests no view should see (NUL bytes, which PostgreSQL refuses in text: a 500 otherwise), and the
idle expiry of signed-in sessions."""

import time

from django.conf import settings
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


class SessionIdleMiddleware:
    """A signed-in session ends after ``SESSION_IDLE_MINUTES`` without a request.

    The session's expiry is ``SESSION_COOKIE_AGE`` (the idle time) from its last save; this moves it on
    by saving the session again when it was last marked more than ``SESSION_IDLE_REFRESH_SECONDS`` ago —
    one UPDATE a minute per active user instead of one per request (so a session may live up to a
    minute past the idle time). Sign-in marks it (``session_mark_seen``). Place after the authentication
    middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY, 0)
            if now - seen >= getattr(settings, "SESSION_IDLE_REFRESH_SECONDS", 60):
                request.session[SEEN_KEY] = now  # modified: saved with the response, expiry moved on
        return self.get_response(request)


SEEN_KEY = "_idle_seen"


def session_mark_seen(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: a fresh sign-in counts as activity (no extra save on the next request)."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
