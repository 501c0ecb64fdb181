"""backup_data / restore_data: a database restored from the archive into an empty one answers the same.

Restoring needs an empty database, so the round trip flushes the test database (transaction=True) and loads
the archive back into it, exactly as on a freshly migrated server.
"""

import io
import json
import re
import tarfile

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from backup import archive
from tasks import services
from tasks.models import Evidence, FieldChange, IndicatorValue, QuarterlyReport, ReportEvent
from tests.tasks.test_evidence import PDF
from tests.tasks.test_smoke import complete_data

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager(monkeypatch):
    """Approvals recompute in this process, whatever broker the environment names."""
    from ninghe_carbon.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def dataset(plan, eager, media, report_a, report_b, dept_a_user, office_user):
    """An approved report with an attachment and its whole history, and another unit's draft."""
    tasks, indicators = complete_data(report_a)
    services.save_draft(
        report=report_a, by=dept_a_user, version=report_a.version, task_data=tasks, indicator_data=indicators
    )
    services.add_evidence(
        task_update=report_a.task_updates.order_by("pk").first(),
        by=dept_a_user,
        upload=SimpleUploadedFile("验收报告.pdf", PDF),
    )
    services.submit_report(report=QuarterlyReport.objects.get(pk=report_a.pk), by=dept_a_user)
    services.approve_report(report=QuarterlyReport.objects.get(pk=report_a.pk), by=office_user, comment="同意")
    return plan


def _answers(plan, report):
    """What the site says: the office's overview and report page, and the stored rows that back them."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    pages = {}
    for url in (
        reverse("dashboard:overview", args=[plan.code]),
        reverse("tasks:report-detail", args=[report.pk]),
        reverse("tasks:home"),
    ):
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = CSRF.sub("", response.content.decode())
    rows = {
        "reports": sorted(QuarterlyReport.objects.values_list("pk", "department__name", "status", "version")),
        "events": sorted(ReportEvent.objects.values_list("pk", "report_id", "action", "actor__username", "comment")),
        "changes": sorted(FieldChange.objects.values_list("event_id", "field", "before", "after")),
        "values": sorted(IndicatorValue.objects.values_list("pk", "indicator__code", "value", "data_source")),
    }
    return pages, rows


def _model_counts(manifest):
    from django.apps import apps

    return {label: apps.get_model(label)._base_manager.count() for label in manifest["counts"]}


@pytest.mark.django_db(transaction=True)
def test_a_restored_database_answers_the_same(dataset, report_a, media, tmp_path, capsys):
    evidence = Evidence.objects.get()
    pages, rows = _answers(dataset, report_a)
    target = tmp_path / "backup.tar.gz"

    call_command("backup_data", str(target))
    with tarfile.open(target) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert _model_counts(manifest) == manifest["counts"]
    assert manifest["counts"]["tasks.evidence"] == 1 and manifest["counts"]["auth.user"] >= 3
    assert f"media/{evidence.file.name}" in manifest["files"]

    call_command("flush", interactive=False, verbosity=0)
    (media / evidence.file.name).unlink()
    assert not QuarterlyReport.objects.exists()

    call_command("restore_data", str(target))
    output = capsys.readouterr().out
    assert "已恢复" in output and "重新设置密码" in output

    assert _model_counts(manifest) == manifest["counts"]
    assert (media / evidence.file.name).read_bytes() == PDF
    assert _answers(dataset, report_a) == (pages, rows)
    users = get_user_model().objects.all()
    assert users and not any(user.has_usable_password() for user in users)
    client = Client()
    client.force_login(users.get(username="dept-a"))
    download = client.get(reverse("tasks:evidence-download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == PDF

    # new rows get fresh ids after the restored ones (the sequences were moved on)
    office = users.get(username="office")
    services.reopen_report(report=QuarterlyReport.objects.get(pk=report_a.pk), by=office, reason="恢复后更正")
    assert ReportEvent.objects.latest("pk").pk > max(pk for pk, *_ in rows["events"])


@pytest.mark.django_db
def test_the_archive_holds_no_password_hash(plan, office_user, media, tmp_path):
    target = tmp_path / "backup.tar.gz"
    archive.backup(target)
    with tarfile.open(target) as tar:
        data = tar.extractfile("data.json").read().decode()
    assert office_user.password not in data
    assert "pbkdf2" not in data and "argon2" not in data


@pytest.mark.django_db
def test_restoring_into_a_database_with_data_is_refused_and_changes_nothing(plan, office_user, media, tmp_path):
    target = tmp_path / "backup.tar.gz"
    archive.backup(target)
    office_user.first_name = "改过"
    office_user.save()
    with pytest.raises(CommandError, match="数据库不是空的，已拒绝恢复"):
        call_command("restore_data", str(target))
    office_user.refresh_from_db()
    assert office_user.first_name == "改过" and office_user.has_usable_password()


@pytest.mark.django_db
def test_a_damaged_archive_is_refused(plan, media, tmp_path):
    good, bad = tmp_path / "good.tar.gz", tmp_path / "bad.tar.gz"
    archive.backup(good)
    with tarfile.open(good) as source, tarfile.open(bad, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "data.json":
                content = content.replace("七里海".encode(), "八里海".encode())
                member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    with pytest.raises(archive.ArchiveError, match="备份文件已损坏：data.json"):
        archive.restore(bad)


# ---------------------------------------------------------------------- tokens and exact times (issue 17)


def _rewrite(source, target, change):
    """Copy an archive with data.json changed by `change`, its manifest's checksum made to match."""
    import hashlib

    with tarfile.open(source) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    members["data.json"] = json.dumps(change(json.loads(members["data.json"])), ensure_ascii=False).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["files"]["data.json"] = hashlib.sha256(members["data.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


@pytest.mark.django_db(transaction=True)
def test_api_tokens_are_left_out_and_do_not_come_back_working(plan, dept_a_user, media, tmp_path):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=dept_a_user).key
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api:report-list")).status_code == 200
    target, old_style = tmp_path / "backup.tar.gz", tmp_path / "old.tar.gz"

    manifest = archive.backup(target)
    with tarfile.open(target) as tar:
        assert key not in tar.extractfile("data.json").read().decode()
    assert "authtoken.token" not in manifest["counts"]
    # an archive written before tokens were left out still carries one
    token_row = {
        "model": "authtoken.token",
        "pk": key,
        "fields": {"user": ["dept-a"], "created": "2026-01-01T00:00:00Z"},
    }
    _rewrite(target, old_style, lambda objects: [*objects, token_row])

    call_command("flush", interactive=False, verbosity=0)
    archive.restore(old_style)

    assert get_user_model().objects.filter(username="dept-a").exists()
    assert not Token.objects.exists()
    assert api.get(reverse("api:report-list")).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_timestamps_come_back_to_the_microsecond(dataset, report_a, media, tmp_path):
    import datetime as dt

    moment = dt.datetime(2026, 4, 3, 9, 15, 27, 123456, tzinfo=dt.UTC)
    ReportEvent.objects.filter(report=report_a).update(at=moment)
    QuarterlyReport.objects.filter(pk=report_a.pk).update(approved_at=moment + dt.timedelta(microseconds=1))
    stamps = sorted(ReportEvent.objects.values_list("pk", "at"))
    report_times = QuarterlyReport.objects.values_list("pk", "created_at", "updated_at", "approved_at", "submitted_at")
    before = sorted(report_times)
    target = tmp_path / "backup.tar.gz"
    archive.backup(target)

    call_command("flush", interactive=False, verbosity=0)
    archive.restore(target)

    assert sorted(ReportEvent.objects.values_list("pk", "at")) == stamps
    assert sorted(report_times.all()) == before
    assert QuarterlyReport.objects.get(pk=report_a.pk).approved_at.microsecond == 123457


@pytest.mark.django_db(transaction=True)
def test_results_are_not_archived_and_an_older_archive_s_are_recomputed(dataset, media, tmp_path):
    """The results' rows by quarter are views over their series: never written to an archive. An archive written
    before they were (rows of results.targetresult, no series) loads without them and without the run records
    that trusted them, so the next nightly run recomputes every plan rather than passing over it."""
    from results.models import ComputationRun, TargetResult, TargetSeries
    from results.services import recompute_plans

    shown = sorted(TargetResult.objects.values_list("target_id", "period_id", "status", "latest_value"))
    assert shown and ComputationRun.objects.exists()
    target, old_style = tmp_path / "backup.tar.gz", tmp_path / "old.tar.gz"
    manifest = archive.backup(target)
    assert "results.targetseries" in manifest["counts"] and "results.targetresult" not in manifest["counts"]

    def before_series(objects):
        kept = [obj for obj in objects if not obj["model"].endswith("series")]
        target_id, period_id, status, latest = shown[0]
        row = {"target": target_id, "period": period_id, "status": status, "latest_value": latest}
        return [
            *kept,
            {"model": "results.targetresult", "pk": 1, "fields": {**row, "computed_at": "2026-01-01T00:00:00Z"}},
        ]

    _rewrite(target, old_style, before_series)
    call_command("flush", interactive=False, verbosity=0)
    archive.restore(old_style)

    assert not TargetSeries.objects.exists() and not ComputationRun.objects.exists()
    assert recompute_plans([dataset]).recomputed == 1
    recomputed = set(TargetResult.objects.values_list("target_id", "period_id", "status", "latest_value"))
    assert set(shown) <= recomputed  # what the pages said comes back (and every other target, now computed too)


@pytest.mark.django_db(transaction=True)
def test_an_archive_with_the_co_departments_stored_by_quarter_restores_them_from_the_updates(dataset, media, tmp_path):
    """Archives written before results migration 0009 hold each task series' co-departments' updates: the column is
    gone (the view reads them from the task updates), and the series load without it, nothing recomputed."""
    from results.models import TaskResult

    shown = sorted(TaskResult.objects.values_list("task_id", "period_id", "status", "co_departments"))
    assert any(co for *_, co in shown)
    target, old_style = tmp_path / "backup.tar.gz", tmp_path / "old.tar.gz"
    archive.backup(target)

    def with_co_departments(objects):
        for obj in objects:
            if obj["model"] == "results.taskseries":
                obj["fields"]["co_departments"] = [[{"department": "旧单位名", "status": "done"}]]
        return objects

    _rewrite(target, old_style, with_co_departments)
    call_command("flush", interactive=False, verbosity=0)
    archive.restore(old_style)

    assert sorted(TaskResult.objects.values_list("task_id", "period_id", "status", "co_departments")) == shown
