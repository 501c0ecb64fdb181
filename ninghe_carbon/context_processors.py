from django.conf import settings


def demo_mode(request):
    """Every page says so while the installation runs on generated demo data."""
    return {"demo_mode": settings.DEMO_MODE}
