"""Site-wide error views that Django lets a project replace."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
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
