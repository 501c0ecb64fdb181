"""Site-wide error views that Django lets a project replace."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _


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


def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API's JSON, a PDF): the static file."""
    return redirect(static("favicon.ico"))
