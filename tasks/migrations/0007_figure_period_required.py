"""A figure's quarter is required once 0006 has filled it, with the indexes and rules of versions."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0006_figure_versions_rebuilt"),
    ]

    operations = [
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
