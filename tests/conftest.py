"""Shared fixtures: the official plan is loaded once per test session and rolled back per test."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PLAN_TEXT_PATH = FIXTURES / "ninghe-carbon-peak-plan-2023.txt"


@pytest.fixture(scope="session")
def plan_text() -> str:
    return PLAN_TEXT_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        call_command("load_ninghe_plan", stdout=quiet)


@pytest.fixture
def plan(db):
    """The plan; reloaded when an earlier transactional test flushed the database (they run last)."""
    from targets.models import Plan

    if not Plan.objects.filter(code="ninghe-2023").exists():
        with open(os.devnull, "w") as quiet:
            call_command("load_ninghe_plan", stdout=quiet)
    return Plan.objects.get(code="ninghe-2023")


@pytest.fixture
def office_user(db, django_user_model):
    """A member of the leading-group office: staff, in the office group, not a superuser."""
    from django.contrib.auth.models import Group

    from departments.roles import OFFICE_GROUP
    from tasks.roles import ensure_role_groups

    ensure_role_groups()
    user = django_user_model.objects.create_user("office", password="pw-office-1", is_staff=True, first_name="办公室")
    user.groups.add(Group.objects.get(name=OFFICE_GROUP))
    return user


@pytest.fixture
def viewer_user(db, django_user_model):
    from django.contrib.auth.models import Group

    from departments.roles import VIEWER_GROUP
    from tasks.roles import ensure_role_groups

    ensure_role_groups()
    user = django_user_model.objects.create_user("viewer", password="pw-viewer-1")
    user.groups.add(Group.objects.get(name=VIEWER_GROUP))
    return user


def _member(django_user_model, username, department_name, role="reporter"):
    from departments.models import Department, Membership

    user = django_user_model.objects.create_user(username, password=f"pw-{username}", first_name=username)
    Membership.objects.create(user=user, department=Department.objects.get(name=department_name), role=role)
    return user


@pytest.fixture
def dept_a_user(plan, django_user_model):
    """A reporter of 七里海管委会, which leads 6.2 (forest coverage) and reports its indicators."""
    return _member(django_user_model, "dept-a", "七里海管委会")


@pytest.fixture
def dept_a_colleague(plan, django_user_model):
    return _member(django_user_model, "dept-a-2", "七里海管委会")


@pytest.fixture
def dept_a_head(plan, django_user_model):
    return _member(django_user_model, "dept-a-head", "七里海管委会", role="head")


@pytest.fixture
def dept_b_user(plan, django_user_model):
    """A reporter of 区统计局, another unit."""
    return _member(django_user_model, "dept-b", "区统计局")


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office_client(office_user):
    return _client_for(office_user)


@pytest.fixture
def viewer_client(viewer_user):
    return _client_for(viewer_user)


@pytest.fixture
def dept_a_client(dept_a_user):
    return _client_for(dept_a_user)


@pytest.fixture
def dept_b_client(dept_b_user):
    return _client_for(dept_b_user)


@pytest.fixture
def period(db):
    """An open quarter whose due date lies in the future, so submissions are on time."""
    import datetime as dt

    from tasks.models import ReportingPeriod

    today = dt.date.today()
    return ReportingPeriod.objects.create(
        year=today.year, quarter=1, opens_on=today - dt.timedelta(days=5), due_on=today + dt.timedelta(days=10)
    )


@pytest.fixture
def report_a(plan, period, dept_a_user):
    """七里海管委会's report for the open quarter, started by its reporter (a draft)."""
    from tasks.services import start_report

    return start_report(plan=plan, department=dept_a_user.membership.department, period=period, by=dept_a_user)


@pytest.fixture
def report_b(plan, period, dept_b_user):
    from tasks.services import start_report

    return start_report(plan=plan, department=dept_b_user.membership.department, period=period, by=dept_b_user)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests create many accounts and only need the check to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached page bodies must not leak between tests (SQLite reuses ids after a rollback)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def celery_in_process():
    """Jobs run in the test's own process, even in CI where a broker is configured; the real-worker test
    switches this off for itself."""
    from ninghe_carbon.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def jobs_inline(settings):
    """Jobs run inside the request, so a test finds their result when it returns; the pool's own tests turn it on."""
    settings.JOBS_IN_THREADS = False
