"""Each reported figure becomes a chain of versions, rebuilt from the report's history.

Before, a reopened report's figure was edited in place and its earlier approved value survived only as the text of
a FieldChange. Walking each report's events from the newest back, undoing the indicator fields' changes, gives the
figures as they stood at each approval: every approval but the current one becomes an older version (known from
that approval until the reopening after it), and the existing row, kept with its id, becomes the newest version
(known from its approval, or a draft when the report is not approved now).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from decimal import Decimal

from django.db import migrations, models

FIELDS = ("value", "reached", "data_source", "note", "change_explanation")


def _from_text(field: str, text: str):
    if field == "value":
        return Decimal(text) if text else None
    if field == "reached":
        return {"是": True, "否": False}.get(text)
    return text


def rebuild_versions(apps, schema_editor):
    IndicatorValue = apps.get_model("tasks", "IndicatorValue")
    QuarterlyReport = apps.get_model("tasks", "QuarterlyReport")
    ReportEvent = apps.get_model("tasks", "ReportEvent")
    FieldChange = apps.get_model("tasks", "FieldChange")
    for report in QuarterlyReport.objects.filter(indicator_values__isnull=False).distinct().iterator():
        rows = {row.indicator_id: row for row in IndicatorValue.objects.filter(report=report)}
        events = list(ReportEvent.objects.filter(report=report).order_by("at", "pk"))
        changes = {}
        for change in FieldChange.objects.filter(event__report=report, field__in=FIELDS, indicator__isnull=False):
            changes.setdefault(change.event_id, []).append(change)
        state = {pk: {f: getattr(row, f) for f in FIELDS} for pk, row in rows.items()}
        approvals = []  # (approve event, the figures it approved), newest first
        for event in reversed(events):
            if event.action == "approve":
                approvals.append((event, {pk: dict(fields) for pk, fields in state.items()}))
            for change in sorted(changes.get(event.pk, ()), key=lambda c: -c.pk):
                if change.indicator_id in state:
                    state[change.indicator_id][change.field] = _from_text(change.field, change.before)
        approvals.reverse()
        is_approved = report.status == "approved"
        older = approvals[:-1] if is_approved and approvals else approvals
        creator = next((e.actor_id for e in events if e.action == "create"), report.updated_by_id)
        for pk, row in rows.items():
            IndicatorValue.objects.filter(pk=row.pk).update(version=len(older) + 1)  # its number is taken first
            chain = []
            for number, (approve, figures) in enumerate(older, start=1):
                ends = next(
                    (e for e in events if e.action == "reopen" and (e.at, e.pk) > (approve.at, approve.pk)), None
                )
                started_by = _reopening_before(events, approve)
                chain.append(
                    IndicatorValue.objects.create(
                        report=report,
                        indicator_id=pk,
                        period_id=report.period_id,
                        kind="reported",
                        version=number,
                        valid_from=approve.at,
                        superseded_at=ends.at if ends else approve.at,
                        recorded_at=approve.at,
                        recorded_by_id=started_by.actor_id if started_by else creator,
                        reason=started_by.comment if started_by else "",
                        **figures[pk],
                    )
                )
            reopened = _reopening_before(events, None) if chain else None
            row.period_id = report.period_id
            row.version = len(chain) + 1
            row.valid_from = (approvals[-1][0].at if approvals else report.approved_at) if is_approved else None
            row.recorded_at = report.updated_at
            row.recorded_by_id = reopened.actor_id if reopened else creator
            row.reason = reopened.comment if reopened else ""
            row.save()
            for earlier, later in zip(chain, [*chain[1:], row]):
                IndicatorValue.objects.filter(pk=earlier.pk).update(superseded_by=later)


def drop_versions(apps, schema_editor):
    """Back to one row per report and indicator: the newest version of each reported figure stays."""
    IndicatorValue = apps.get_model("tasks", "IndicatorValue")
    IndicatorValue.objects.filter(report__isnull=True).delete()
    while older := list(IndicatorValue.objects.filter(superseded_by__isnull=False, supersedes__isnull=True)[:1000]):
        IndicatorValue.objects.filter(pk__in=[row.pk for row in older]).delete()


def _reopening_before(events, approve):
    """The last reopening before an approval (or, for None, the last one of all): what started that version."""
    reopenings = [
        e for e in events if e.action == "reopen" and (approve is None or (e.at, e.pk) < (approve.at, approve.pk))
    ]
    return reopenings[-1] if reopenings else None


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_figure_provenance"),
        ("tasks", "0004_quality_flags"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="indicatorvalue",
            options={
                "ordering": ["report", "indicator__order", "version"],
                "verbose_name": "indicator value",
                "verbose_name_plural": "indicator values",
            },
        ),
        migrations.RemoveConstraint(
            model_name="indicatorvalue",
            name="indicator_value_one_per_report",
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="kind",
            field=models.CharField(
                choices=[
                    ("reported", "Reported by the department"),
                    ("provisional", "Provisional official figure"),
                    ("final", "Final official figure"),
                ],
                default="reported",
                max_length=16,
                verbose_name="kind of figure",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="period",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicator_values",
                to="tasks.reportingperiod",
                verbose_name="period",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="reason",
            field=models.TextField(blank=True, verbose_name="reason for this version"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded at"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="source_date",
            field=models.DateField(blank=True, null=True, verbose_name="document date"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="source_issuer",
            field=models.CharField(blank=True, max_length=100, verbose_name="issued by"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="source_title",
            field=models.CharField(blank=True, max_length=200, verbose_name="document (title or 文号)"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="superseded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="superseded at"),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="superseded_by",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supersedes",
                to="tasks.indicatorvalue",
                verbose_name="superseded by",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="valid_from",
            field=models.DateTimeField(
                blank=True,
                help_text="Its report's approval, or when it was recorded.",
                null=True,
                verbose_name="known from",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="version",
            field=models.PositiveIntegerField(default=1, verbose_name="version"),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="report",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for an official figure.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indicator_values",
                to="tasks.quarterlyreport",
                verbose_name="report",
            ),
        ),
        migrations.RunPython(rebuild_versions, drop_versions, elidable=False),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="period",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicator_values",
                to="tasks.reportingperiod",
                verbose_name="period",
            ),
        ),
        migrations.AddIndex(
            model_name="indicatorvalue",
            index=models.Index(fields=["indicator", "period", "kind"], name="indicator_value_figure"),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("report__isnull", False)),
                fields=("report", "indicator", "version"),
                name="indicator_value_version_per_report",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("report__isnull", True)),
                fields=("indicator", "period", "kind", "version"),
                name="official_value_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "reported"), ("report__isnull", False)),
                    models.Q(models.Q(("kind", "reported"), _negated=True), ("report__isnull", True)),
                    _connector="OR",
                ),
                name="indicator_value_report_iff_reported",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.CheckConstraint(
                condition=models.Q(("superseded_at__isnull", True), ("valid_from__isnull", False), _connector="OR"),
                name="indicator_value_superseded_after_known",
            ),
        ),
    ]
