"""API clients for the seven roles, each signed in with its own token as an external system would."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

ROLES = ["anonymous", "dept_a", "dept_b", "dept_a_head", "office", "viewer", "admin"]
USER_FIXTURES = {
    "dept_a": "dept_a_user",
    "dept_b": "dept_b_user",
    "dept_a_head": "dept_a_head",
    "office": "office_user",
    "viewer": "viewer_user",
    "admin": "admin_user",
}


def token_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api_for(request):
    """api_for("dept_a") -> a client signed in with department A's reporter's token."""

    def make(role: str) -> APIClient:
        if role == "anonymous":
            return token_client(None)
        return token_client(request.getfixturevalue(USER_FIXTURES[role]))

    return make
