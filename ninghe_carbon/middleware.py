"""Site-wide middleware: the Chinese-first locale and the log of refused requests."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .security import client_ip


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user picked English: the browser's Accept-Language is deliberately ignored.

    Users are Chinese civil servants, many on machines set up in English; the interface must not switch
    language behind their backs. The language menu sets Django's language cookie, which this honours.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


refused_log = logging.getLogger("ninghe.refused")
REFUSED = {400, 401, 403, 404, 405, 414, 429}

# The longest address (path and query) answered; gunicorn's request-line limit (deploy/gunicorn.conf.py) is
# above it, so an over-long address reaches this answer instead of the server's bare 414.
MAX_URL_CHARS = 4096


class LongUrlMiddleware:
    """Refuse over-long addresses before any view parses them: 414 with a message (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if len(request.get_full_path()) > MAX_URL_CHARS:
            from .views import uri_too_long

            request.refused_reason = "uri too long"
            return uri_too_long(request)
        return self.get_response(request)


class RefusedRequestLogMiddleware:
    """One structured line for every request the site turned away (permission, missing, CSRF, lock-out).

    Logged where every response passes, so a new view cannot forget it; the reason is the exception's text
    when a permission check gave one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSED:
            user = getattr(request, "user", None)
            refused_log.warning(
                "request.refused",
                extra={
                    "status": response.status_code,
                    "method": request.method,
                    "path": request.path,
                    "user": user.get_username() if user is not None and user.is_authenticated else "",
                    "ip": client_ip(request),
                    "reason": getattr(request, "refused_reason", ""),
                },
            )
        return response

    def process_exception(self, request, exception):
        """Keep the reason a view gave for a 403 or 404, for the log line written on the way out."""
        if isinstance(exception, PermissionDenied | Http404):
            request.refused_reason = str(exception) or type(exception).__name__
