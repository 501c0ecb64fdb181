"""Site-wide views: the error pages Django lets a project replace, and the demo installation's front door."""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import NotFound

from tasks import demo

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


@require_http_methods(["GET", "POST"])
def demo_welcome(request):
    """In demo mode only: each role's demo account, what to try with it, and a button that logs in as it.

    Outside demo mode the page and its log-in do not exist (404), and even in demo mode only the accounts the page
    offers can be entered this way, never another one.
    """
    if not settings.DEMO_MODE:
        raise Http404
    roles = demo.welcome_roles()
    if request.method == "POST":
        if request.POST.get("username") not in {r.username for r in roles}:
            raise Http404
        user = get_user_model().objects.get(username=request.POST["username"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/demo_welcome.html", {"roles": roles, "password": demo.DEMO_PASSWORD})


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
