"""The token page: a signed-in person issues and replaces their own API token, which then signs them in."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def signs_in(key: str, report) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:report-detail", args=[report.pk])).status_code == 200


def test_a_member_issues_a_token_that_signs_in_and_replaces_it(dept_a_client, dept_a_user, report_a):
    page = reverse("api:token")
    assert "您还没有令牌" in dept_a_client.get(page).content.decode()

    assert dept_a_client.post(page).url == page
    first = Token.objects.get(user=dept_a_user).key
    html = dept_a_client.get(page).content.decode()
    assert f'value="{first}"' in html and signs_in(first, report_a)

    dept_a_client.post(page)
    second = Token.objects.get(user=dept_a_user).key
    assert second != first and signs_in(second, report_a) and not signs_in(first, report_a)


def test_the_page_shows_only_ones_own_token(dept_a_client, dept_b_user):
    other = Token.objects.create(user=dept_b_user)
    assert other.key not in dept_a_client.get(reverse("api:token")).content.decode()
