"""Figures gain their provenance and version columns (the period still nullable: 0006 fills it from each report).

Three migrations, not one: on PostgreSQL the data step's foreign keys are checked at its commit, and a table with
pending checks cannot be altered in the same transaction (0007 makes the period required).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


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
    ]
