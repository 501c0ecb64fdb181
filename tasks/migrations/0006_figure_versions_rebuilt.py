"""Each reported figure becomes a chain of versions, rebuilt from the report's history.

Before, a reopened report's figure was edited in place and its earlier approved value survived only as the text of
a FieldChange. Walking each report's events from the newest back, undoing the indicator fields' changes, gives the
figures as they stood at each approval: every approval but the current one becomes an older version (known from
that approval until the reopening after it), and the existing row, kept with its id, becomes the newest version
(known from its approval, or a draft when the report is not approved now).
"""

from decimal import Decimal

from django.db import migrations

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
        ("tasks", "0005_figure_provenance"),
    ]

    operations = [
        migrations.RunPython(rebuild_versions, drop_versions, elidable=False),
    ]
