"""Hardening: log-in lock-out, CSRF on every form, the Content-Security-Policy, no stack trace, refusals logged."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path, reverse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret-internal-detail")


urlpatterns = [path("boom/", _boom)]


def _log_in(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en"
    )


def _refused(caplog):
    return [r for r in caplog.records if r.name == "ninghe.refused"]


def test_repeated_wrong_passwords_lock_the_account_with_a_chinese_message(office_user, caplog):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _log_in(client, "office", "wrong")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    locked = _log_in(client, "office", "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "账户已暂时锁定" in text
    assert f"连续 {settings.AXES_FAILURE_LIMIT} 次" in text

    again = _log_in(client, "office", "pw-office-1")  # even the right password waits for the cool-off
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any(r.status == 429 and r.path == reverse("login") for r in _refused(caplog))


def test_a_lock_out_does_not_keep_the_user_out_at_another_desk(office_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(Client(), "office", "wrong", ip="10.0.0.7")
    elsewhere = Client()
    response = _log_in(elsewhere, "office", "pw-office-1", ip="10.0.0.8")
    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(office_user.pk)


def test_a_right_password_before_the_limit_clears_the_count(office_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "office", "wrong")
    assert _log_in(client, "office", "pw-office-1").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, "office", "wrong").status_code == 200


def test_a_post_without_csrf_token_is_refused_in_chinese_and_logged(report_a, dept_a_user, caplog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dept_a_user)
    response = client.post(reverse("tasks:report-detail", args=[report_a.pk]), {"version": report_a.version})
    assert response.status_code == 403
    assert "表单已过期或不是从本系统提交的" in response.content.decode()
    [record] = _refused(caplog)
    assert (record.status, record.user) == (403, "dept-a")
    assert record.reason.startswith("CSRF")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_post_form_carries_a_csrf_token(template):
    text = template.read_text(encoding="utf-8")
    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", text, flags=re.S | re.I):
        assert "{% csrf_token %}" in form, form[:200]


def test_another_units_report_is_404_and_the_refusal_is_logged(report_a, dept_b_client, caplog):
    url = reverse("tasks:report-detail", args=[report_a.pk])
    assert dept_b_client.get(url).status_code == 404
    [record] = _refused(caplog)
    assert (record.status, record.method, record.path, record.user) == (404, "GET", url, "dept-b")


def test_a_permission_refusal_is_logged_with_its_reason(report_a, dept_a_client, caplog):
    response = dept_a_client.post(reverse("tasks:report-action", args=[report_a.pk, "approve"]))
    assert response.status_code == 403
    [record] = _refused(caplog)
    assert record.status == 403
    assert record.reason  # the service's explanation, in the active language


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("login")).headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].split() == ["'self'", *settings.PLOTLY_STYLE_HASHES]
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_templates_have_no_inline_script_style_or_event_handler(template):
    """The policy allows none; json_script data blocks are not code and are left alone by it."""
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"<style\b", text), "inline <style>"
    assert not re.search(r"\sstyle=", text), "style attribute"
    assert not re.search(r"\son[a-z]+=", text), "event-handler attribute"


@pytest.mark.urls("tests.test_security")
def test_an_error_in_a_view_shows_the_chinese_500_page_without_a_trace(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出现错误" in text
    assert "Traceback" not in text and "secret-internal-detail" not in text and "RuntimeError" not in text


def test_uploads_are_stored_outside_everything_served_as_static_files():
    media = Path(settings.MEDIA_ROOT).resolve()
    static_places = [Path(settings.STATIC_ROOT)] + [
        Path(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS
    ]
    for place in static_places:
        assert not media.is_relative_to(place.resolve()), place
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"  # no public address for uploads


def test_a_bad_request_gets_the_chinese_400_page_and_is_logged(settings, caplog):
    settings.DEBUG = False
    response = Client().get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()
    assert [r.status for r in _refused(caplog)] == [400]


# --- the shipped deployment: X-Forwarded-For is believed from the proxy only (issue 17) ---------------------


def _env_example() -> dict[str, str]:
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.fixture
def shipped_proxy_settings(settings):
    """The proxy settings exactly as deploy/env.example ships them."""
    env = _env_example()
    settings.TRUSTED_PROXY_COUNT = int(env["TRUSTED_PROXY_COUNT"])
    settings.TRUSTED_PROXY_ADDRESSES = env["TRUSTED_PROXY_ADDRESSES"].split(",")
    return env


def test_a_client_reaching_gunicorn_directly_cannot_forge_addresses_past_the_lock_out(
    shipped_proxy_settings, office_user
):
    """20 wrong passwords, each with a new forged X-Forwarded-For, from one address that is not the proxy's."""
    client = Client()
    answers = [
        client.post(
            reverse("login"),
            {"username": "office", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        ).status_code
        for attempt in range(20)
    ]
    assert answers[settings.AXES_FAILURE_LIMIT - 1 :] == [429] * (20 - settings.AXES_FAILURE_LIMIT + 1)
    right = client.post(
        reverse("login"),
        {"username": "office", "password": "pw-office-1"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.250",
    )
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_behind_the_proxy_the_address_it_saw_is_the_clients(shipped_proxy_settings, rf):
    from ninghe_carbon.security import client_ip

    proxy = shipped_proxy_settings["TRUSTED_PROXY_ADDRESSES"]
    assert client_ip(rf.get("/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")) == "198.51.100.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "203.0.113.9"
    assert client_ip(rf.get("/", REMOTE_ADDR=proxy)) == proxy


def test_a_proxy_network_may_be_trusted_as_a_whole(settings, rf):
    from ninghe_carbon.security import client_ip

    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_ADDRESSES = 1, ["10.0.0.0/29"]
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "198.51.100.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.7")) == "10.0.0.9"
