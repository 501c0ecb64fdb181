"""A real browser: Debian's chromium driven by Playwright, never a downloaded one."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from results.services import recompute_plan
from tasks import demo

# Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh tab; any Content-Security-Policy violation it met fails the test that used it."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not violations, "the Content-Security-Policy blocked something:\n" + "\n".join(violations)


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(autouse=True)
def session_cookie_without_expiry(settings):
    """The server runs at the tests' date, the browser on the real clock: a cookie that expires eight hours after
    a date months away would be dropped at once. A cookie that lasts as long as the browser is not."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


@pytest.fixture
def live_plan(live_server, django_db_blocker):
    """The plan, present even after an earlier live-server test flushed the database."""
    from targets.models import Plan

    if not Plan.objects.filter(code="ninghe-2023").exists():
        with open(os.devnull, "w") as quiet:
            call_command("load_ninghe_plan", stdout=quiet)
    return Plan.objects.get(code="ninghe-2023")


@pytest.fixture
def demo_plan(live_plan):
    """The demo's accounts and ten approved quarters plus the current one in every state, then the results."""
    demo._demo_password_hash.cache_clear()  # hash the shared password with the hasher active in this test
    demo.create_accounts(live_plan)
    periods = demo.create_periods(timezone.localdate())
    office = get_user_model().objects.get(username="demo-office")
    demo.create_history(live_plan, periods, office)
    demo.create_current_quarter(live_plan, periods[demo.current_quarter(timezone.localdate())], office)
    recompute_plan(live_plan)
    return live_plan
