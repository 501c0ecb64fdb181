"""Site-wide error views that Django lets a project replace."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import NotFound

API_PREFIX = "/api/"


def not_found(request, exception=None):
    """An address under /api/ that names nothing (/api/v1/reports/abc/) answers as the API does: JSON, 未找到."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": str(NotFound.default_detail)}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)


def uri_too_long(request):
    """A request line longer than any address of this site: a short, clear answer instead of the server's."""
    message = _("The address is too long; no page of this site has such an address.")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=414, json_dumps_params={"ensure_ascii": False})
    return render(request, "403.html", {"exception": message}, status=414)


def csrf_failure(request, reason=""):
    """A refused form post in the user's language, with what to do, instead of Django's English debug page."""
    request.refused_reason = f"CSRF: {reason}"
    message = _(
        "The form had expired or did not come from this site, so nothing was saved. Reload the page and try again."
    )
    return render(request, "403.html", {"exception": message}, status=403)


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when an account is locked: say why and for how long, in the user's language."""
    request.refused_reason = "locked out"
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def server_error(request):
    """A database that cannot be reached for a moment (restart, fail-over) is a 503 that says to retry, not a 500.

    Rendered without the request's context: the session and the user live in the database that is away.
    """
    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _(
        "The database cannot be reached for a moment, so nothing was saved. Wait a few seconds and try again "
        "(go back to keep what you typed)."
    )
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(loader.get_template("503.html").render({"message": message}), status=503)
    response["Retry-After"] = "5"
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API's JSON, a PDF): the static file."""
    return redirect(static("favicon.ico"))
