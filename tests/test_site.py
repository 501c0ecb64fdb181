"""The frame around every page: language menu, admin, favicon, the API's index, as a Chinese user meets them."""

import re

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_language_menu_names_each_language_in_that_language(client, plan):
    html = client.get(reverse("dashboard:plan-detail", args=[plan.code])).content.decode()
    menu = re.search(r'<select id="lang-select".*?</select>', html, re.S).group(0)
    assert re.findall(r">([^<]+)</option>", menu) == ["简体中文", "English"]
    assert "英语" not in menu


def test_the_admin_is_titled_as_the_system_with_chinese_app_names(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "宁河区碳达峰工作跟踪平台" in html and "Django" not in html
    assert "登录锁定" in html and "登录尝试" in html
    assert "Axes" not in html and "Access attempts" not in html


def test_the_favicon_is_a_static_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert finders.find(response.url.removeprefix("/static/"))
    html = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in html


def test_the_api_index_is_named_and_described_in_chinese(client):
    html = client.get(reverse("api:api-root"), HTTP_ACCEPT="text/html").content.decode()
    assert "宁河区碳达峰工作跟踪平台接口" in html and "接口文档见 /api/v1/docs/" in html
    assert "Public Root" not in html and "Django REST framework" not in html
