"""Answers at the edges of the API: every one JSON, in Chinese, with a status the schema documents."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "未找到。"}


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/reports/abc/"),
        ("post", "/api/v1/reports/abc/approve/"),
        ("get", "/api/v1/no-such-list/"),
        ("get", "/api/v1/reports/99999/"),
        ("post", "/api/v1/reports/99999/approve/"),
        ("post", "/api/v1/reports/99999/save/"),
        ("post", "/api/v1/reports/99999/submit/"),
    ],
)
def test_a_missing_object_is_a_json_404_in_chinese_for_reads_and_writes(method, url, api_for, report_a):
    response = getattr(api_for("office"), method)(url, {"version": 1}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page_size=null", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=", "page_size"),
    ],
)
def test_page_and_page_size_must_be_whole_numbers_from_one(query, field, api_for, report_a):
    response = api_for("office").get(f"/api/v1/reports/?{query}")
    assert response.status_code == 400
    assert response.json() == {field: ["请填写大于或等于 1 的整数。"]}


def test_a_page_past_the_end_is_drfs_404_and_the_last_page_is_found(api_for, report_a):
    client = api_for("office")
    assert client.get("/api/v1/reports/?page=2").status_code == 404
    assert client.get("/api/v1/reports/?page=last").status_code == 200
    assert client.get("/api/v1/reports/?page=1&page_size=500").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/targets/?comparator=", "/api/v1/reports/?status=", "/api/v1/tasks/?plan="])
def test_a_filter_given_without_a_value_is_refused(url, api_for, plan):
    response = api_for("office").get(url)
    assert response.status_code == 400
    assert list(response.json().values()) == [["请给出取值，或者不要带这个参数。"]]


def test_the_schema_states_the_paging_bounds_and_the_long_address_answer(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/reports/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["page"]["minimum"] == 1
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 500)
    assert "414" in operation["responses"]


def test_a_very_long_address_gets_a_clear_414(api_for, office_user):
    api = api_for("office")
    response = api.get("/api/v1/reports/?plan=" + "x" * 5000)
    assert (response.status_code, response.json()) == (414, {"detail": "地址过长，本网站没有这样的页面。"})
    page = Client()
    page.force_login(office_user)
    html = page.get("/reports/" + "a" * 5000)
    assert html.status_code == 414 and "地址过长" in html.content.decode()
