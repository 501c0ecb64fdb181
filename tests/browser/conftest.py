"""A real browser: Debian's chromium driven by Playwright, never a downloaded one.

Every page a browser test loads is audited with axe-core (vendored from its npm package in vendor/axe-core) against
WCAG 2.0/2.1 A and AA: after each load, before the test's next browser call acts on the page, and once more at the
end of the test. Any violation fails the test that loaded the page, so new browser tests are covered as they come.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright._impl._sync_base import SyncBase

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
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Pages drawn entirely by a third-party bundle that this project does not write: the API's interactive documentation
# (Swagger UI and ReDoc from drf-spectacular-sidecar), read by developers of client systems. axe finds Swagger UI's
# own markup lacking (no lang, low-contrast theme, buttons nested in buttons); fixing it means patching the bundle.
NOT_AUDITED = ("/api/v1/docs/", "/api/v1/redoc/")
# The document as it is now: the page's address, who is logged in and a digest of its markup, so an audit runs once
# per distinct state (a form re-shown with its errors is a new state) and not again when a test reloads the same page.
AXE_RUN = """async (tags) => {
  await new Promise((done) => setTimeout(done, 0));  // the page's own load and ready handlers first
  const markup = document.documentElement.outerHTML;
  let digest = 0;
  for (let i = 0; i < markup.length; i += 1) digest = (digest * 31 + markup.charCodeAt(i)) | 0;
  const who = document.querySelector('header .user');
  const key = [location.href, who ? who.textContent.trim() : '', digest].join(' ');
  if (window.__axeAudited === key) return null;
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  window.__axeAudited = key;
  return {key, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + '  ' + n.html.slice(0, 160)),
    count: v.nodes.length,
  }))};
}"""


class AxeAudit:
    """Runs axe-core on the tab's document and keeps the violations it finds.

    A load only raises a flag (an event handler must not drive the page while the test does); the audit runs at the
    start of the test's next Playwright call, in the test's own greenlet, so it sees each page as loaded, before the
    test clicks on or leaves it.
    """

    def __init__(self):
        self.page = None
        self.loaded = False
        self.running = False
        self.audited: set[str] = set()
        self.violations: list[str] = []

    def run(self) -> list[str]:
        """Audit the document as it is now; returns what this audit found (also kept for the end of the test)."""
        from playwright.sync_api import Error

        self.loaded = False
        if self.running or self.page is None or self.page.is_closed() or not self.page.url.startswith("http"):
            return []
        if urlsplit(self.page.url).path.startswith(NOT_AUDITED):
            return []
        self.running = True
        try:
            result = self.page.evaluate(AXE_RUN, WCAG_TAGS)
        except Error as error:  # the page was already on its way to the next one, which gets its own audit
            if "context was destroyed" in str(error) or "navigat" in str(error):
                return []
            raise
        finally:
            self.running = False
        if result is None or result["key"] in self.audited:
            return []
        self.audited.add(result["key"])
        where = result["key"].rsplit(" ", 1)[0]
        found = [
            f"{where}: {v['id']} ({v['impact']}, {v['count']}×) {v['help']}\n      " + "\n      ".join(v["nodes"])
            for v in result["violations"]
        ]
        self.violations += found
        return found

    def before_each_call(self, call):
        """Wraps Playwright's synchronous call so that a page loaded since the last call is audited first."""
        import greenlet

        def audited_call(api, awaitable):
            if self.loaded and not self.running and greenlet.getcurrent().parent is None:
                self.run()
            return call(api, awaitable)

        return audited_call


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
def page(browser, axe_audit, monkeypatch):
    """A fresh tab; any Content-Security-Policy violation or WCAG A/AA violation it met fails the test that used it."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(path=str(AXE))  # injected by the browser itself, so the site's CSP does not apply to it
    page = context.new_page()
    page.set_default_timeout(15000)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if blocked_by_csp(m) else None)
    audit = axe_audit
    audit.page = page
    page.on("load", lambda _: setattr(audit, "loaded", True))
    monkeypatch.setattr(SyncBase, "_sync", audit.before_each_call(SyncBase._sync))
    yield page
    audit.run()
    context.close()
    assert not violations, "the Content-Security-Policy blocked something:\n" + "\n".join(violations)
    assert not audit.violations, "axe-core found WCAG 2 A/AA violations:\n" + "\n".join(audit.violations)


def blocked_by_csp(message) -> bool:
    """The site's CSP blocked something of the site's own; axe-core's probes (it tries inline styles) do not count."""
    return "Content Security Policy" in message.text and not message.location.get("url", "").endswith(AXE.name)


@pytest.fixture
def axe_audit():
    """The audit of the test's tab, for a test that checks the audit itself."""
    return AxeAudit()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(autouse=True)
def session_cookie_without_expiry(settings):
    """The server runs at the tests' date, the browser on the real clock: a cookie that expires eight hours (or,
    for CSRF, a year) after a date months away would be dropped at once. A cookie that lasts as long as the browser
    is not."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


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
    today = timezone.localdate()
    periods = demo.create_periods(today)
    office = get_user_model().objects.get(username="demo-office")
    demo.create_history(live_plan, periods, office)
    demo.create_current_quarter(live_plan, periods[demo.current_quarter(today)], office, today=today)
    recompute_plan(live_plan)
    return live_plan
