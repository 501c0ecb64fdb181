"""The OpenAPI schema is valid, and the API keeps to it under fuzzing (schemathesis, in-process over WSGI).

The fuzzing is bounded (examples per operation and a deadline per example) so it runs in CI with the rest
of the suite: no answer may be a 5xx, and every answer must match the schema's status codes and shapes.
"""

from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ninghe_carbon.wsgi import application

pytestmark = pytest.mark.django_db


def test_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    assert "/api/v1/reports/{id}/save/" in text and "/api/v1/results/targets/" in text


# Read from the app itself at collection, as a client would; the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def requests_inside_the_test_transaction():
    """Keep a finished request from closing the test's connection, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def fuzz_data(plan, report_a, report_b, viewer_user):
    """Reports of two units and computed results exist; report operations are aimed at A's draft, so the
    fuzzed bodies reach the services' rules (validation, version check, permissions) instead of a 404."""
    from results.services import recompute_plan

    recompute_plan(plan)
    return report_a


def _aim(case, report) -> None:
    if case.operation.path.startswith("/api/v1/reports/{id}") and case.path_parameters:
        case.path_parameters["id"] = report.pk


def _token(user) -> str:
    return f"Token {Token.objects.get_or_create(user=user)[0].key}"


BOUNDED = settings(
    max_examples=10,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_schema_for_a_department(case, fuzz_data, dept_a_user):
    """A department member may start, save and submit its own report: the write paths get exercised."""
    _aim(case, fuzz_data)
    case.call_and_validate(headers={"Authorization": _token(dept_a_user)}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_schema_for_the_office(case, fuzz_data, office_user):
    """The office sees every report and reviews: the review paths get exercised."""
    _aim(case, fuzz_data)
    case.call_and_validate(headers={"Authorization": _token(office_user)}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_schema_for_anonymous_callers(case, fuzz_data):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.parametrize(
    "name, asset",
    [
        ("api:docs", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("api:redoc", "redoc/redoc.standalone.js"),  # our copy: static/redoc/README.md
    ],
)
def test_docs_pages_use_local_static_files_not_a_cdn(name, asset, client):
    from django.contrib.staticfiles import finders
    from django.urls import reverse

    html = client.get(reverse(name)).content.decode()
    assert f"/static/{asset}" in html
    assert "cdn." not in html and "unpkg" not in html
    assert "cdn.redoc.ly" not in Path(finders.find(asset)).read_text(encoding="utf-8")
