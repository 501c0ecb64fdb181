"""The migration to the lean layout (results 0008) keeps every result: folded into series and read back through the
views, and unfolded again on the way back, the rows say the same. Run on the suite's own database engine."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from results import services
from results.engine.rows import ROLLUP_FIELDS, TARGET_FIELDS, TASK_FIELDS
from results.models import Rollup, TargetResult, TaskResult
from tests.results.test_services import history  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = [
    (TargetResult, ("target_id", "period_id", *TARGET_FIELDS)),
    (TaskResult, ("task_id", "period_id", *TASK_FIELDS)),
    (Rollup, ("plan_id", "scope", "area_id", "department_id", "period_id", *ROLLUP_FIELDS)),
]


def view_rows() -> dict:
    return {model.__name__: sorted(map(repr, model.objects.values_list(*fields))) for model, fields in TABLES}


def table_rows(apps) -> dict:
    """The same columns, read from the per-quarter tables of the state before the migration."""
    return {
        model.__name__: sorted(map(repr, apps.get_model("results", model.__name__).objects.values_list(*fields)))
        for model, fields in TABLES
    }


def test_results_survive_the_migration_both_ways(plan, history):  # noqa: F811
    services.recompute_plan(plan)
    before = view_rows()
    assert all(before.values())
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("results", "0007_fill_state_per_plan")])  # back: series unfolded into rows
        executor.loader.build_graph()
        assert table_rows(executor.loader.project_state(("results", "0007_fill_state_per_plan")).apps) == before
        executor.migrate(executor.loader.graph.leaf_nodes())  # forward: rows folded into series
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert view_rows() == before
    assert services.recompute_plan(plan, force=True) == 0  # what the migration left is what the engine computes
