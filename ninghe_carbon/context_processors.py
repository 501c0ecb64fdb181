from django.conf import settings


def demo_mode(request):
    """Every page says so while the installation runs on generated demo data."""
    return {"demo_mode": settings.DEMO_MODE}


def roles(request):
    """Which navigation a person gets; the views check permissions again."""
    from departments.roles import is_office, is_viewer

    user = getattr(request, "user", None)
    return {"can_see_overview": bool(user) and (is_office(user) or is_viewer(user))}


def keep_filters(request):
    """Links between dashboard pages carry the chosen quarter, so a shared URL shows the same state."""
    period = request.GET.get("period", "")
    return {"keep": f"?period={period}" if period.isdigit() else ""}
