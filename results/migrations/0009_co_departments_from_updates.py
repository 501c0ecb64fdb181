# Written by hand: issue 18. A task's co-departments' updates are no longer stored with its series, quarter by
# quarter (more than half of every byte a full run wrote); the view results_taskresult reads them from the approved
# task updates, as of the row's quarter. In order (no view may name the series table while SQLite rebuilds it):
# 1. the view is dropped (backwards: the new view is created, the series' column filled again from it, and 0008's
#    view put back);
# 2. the series' column is dropped;
# 3. the view is created again, reading the updates.

from django.db import migrations, models

SERIES_COLUMNS = ("status", "text"), ("percent_complete", "smallint"), ("overdue", "boolean")
OFFSET = "(p.year * 4 + p.quarter - 1 - s.first_quarter)"


def _element(vendor, column, kind):
    """As 0008's view_sql: the series' element at the row's quarter, read under offset >= 0."""
    if vendor == "postgresql":
        raw = f"(s.{column} -> {OFFSET})" if kind == "json" else f"s.{column}[{OFFSET} + 1]"
    else:
        raw = f"json_extract(s.{column}, '$[' || {OFFSET} || ']')"
    return f"CASE WHEN {OFFSET} >= 0 THEN {raw} END"


# The latest approved update of the task, up to the row's quarter, of each unit other than its lead: what
# results.engine.compute stored, one {department, status, percent, period} per unit, sorted by the unit's name (by
# code point, as Python sorts: COLLATE "C"; SQLite's BINARY is the same).
NEWEST_BY_UNIT = """
    SELECT r.department_id AS unit, d.name AS name, u.status AS status, u.percent_complete AS percent,
           CAST(q.year AS text) || 'Q' || CAST(q.quarter AS text) AS label,
           row_number() OVER (PARTITION BY r.department_id ORDER BY q.year DESC, q.quarter DESC) AS newest
    FROM tasks_taskupdate u
    JOIN tasks_quarterlyreport r ON r.id = u.report_id
    JOIN tasks_reportingperiod q ON q.id = r.period_id
    JOIN departments_department d ON d.id = r.department_id
    WHERE u.task_id = s.task_id AND r.status = 'approved' AND q.year * 4 + q.quarter <= p.year * 4 + p.quarter
      AND NOT EXISTS (
        SELECT 1 FROM targets_responsibility l
        WHERE l.task_id = s.task_id AND l.role = 'lead' AND l.department_id = r.department_id
      )
"""


def co_departments_sql(vendor):
    if vendor == "postgresql":
        return (
            "(SELECT coalesce(jsonb_agg(jsonb_build_object('department', c.name, 'status', c.status, "
            "'percent', c.percent, 'period', c.label) ORDER BY c.name COLLATE \"C\", c.unit), '[]'::jsonb) "
            f"FROM ({NEWEST_BY_UNIT}) c WHERE c.newest = 1)"
        )
    return (
        "(SELECT json_group_array(json_object('department', c.name, 'status', c.status, 'percent', c.percent, "
        f"'period', c.label)) FROM (SELECT * FROM ({NEWEST_BY_UNIT}) WHERE newest = 1 ORDER BY name, unit) c)"
    )


def task_view_sql(vendor):
    selected = ", ".join(
        [f"s.id * 4096 + {OFFSET} AS id", "s.task_id", "p.id AS period_id"]
        + [f"{_element(vendor, c, k)} AS {c}" for c, k in SERIES_COLUMNS]
        + [f"{co_departments_sql(vendor)} AS co_departments", "s.computed_at"]
    )
    return (
        f"CREATE VIEW results_taskresult AS SELECT {selected} FROM results_taskseries s "
        f"JOIN tasks_reportingperiod p ON {OFFSET} >= 0 WHERE ({_element(vendor, 'status', 'text')}) IS NOT NULL"
    )


def stored_view_sql(vendor):
    """0008's view: the co-departments' updates read from the series' own column."""
    selected = ", ".join(
        [f"s.id * 4096 + {OFFSET} AS id", "s.task_id", "p.id AS period_id"]
        + [f"{_element(vendor, c, k)} AS {c}" for c, k in (*SERIES_COLUMNS, ("co_departments", "json"))]
        + ["s.computed_at"]
    )
    return (
        f"CREATE VIEW results_taskresult AS SELECT {selected} FROM results_taskseries s "
        f"JOIN tasks_reportingperiod p ON {OFFSET} >= 0 WHERE ({_element(vendor, 'status', 'text')}) IS NOT NULL"
    )


def drop_view(apps, schema_editor):
    schema_editor.execute("DROP VIEW IF EXISTS results_taskresult")


def read_from_updates(apps, schema_editor):
    schema_editor.execute(task_view_sql(schema_editor.connection.vendor))


def read_from_series(apps, schema_editor):
    """Backwards: the series' column, just added again, filled from the new view; then 0008's view."""
    read_from_updates(apps, schema_editor)
    fill_from_view(apps, schema_editor)
    drop_view(apps, schema_editor)
    schema_editor.execute(stored_view_sql(schema_editor.connection.vendor))


def fill_from_view(apps, schema_editor):
    """Each series' co-departments, quarter by quarter, as the view reads them from the updates."""
    import json

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.first_quarter, p.year * 4 + p.quarter - 1, v.co_departments FROM results_taskresult v "
            "JOIN results_taskseries s ON s.task_id = v.task_id JOIN tasks_reportingperiod p ON p.id = v.period_id"
        )
        rows = cursor.fetchall()
    series: dict[int, dict] = {}
    for pk, first, position, co in rows:
        series.setdefault(pk, {"first": first, "by": {}})["by"][position] = json.loads(co) if isinstance(co, str) else co
    TaskSeries = apps.get_model("results", "TaskSeries")
    for pk, held in series.items():
        last = max(held["by"])
        column = [held["by"].get(p) for p in range(held["first"], last + 1)]
        TaskSeries.objects.filter(pk=pk).update(co_departments=column)


class Migration(migrations.Migration):

    dependencies = [
        ("results", "0008_lean_series"),
        ("targets", "0001_initial"),
        ("tasks", "0007_figure_period_required"),
        ("departments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_view, read_from_series),
        migrations.RemoveField(model_name="taskseries", name="co_departments"),
        migrations.RunPython(read_from_updates, drop_view),
    ]
