"""The statistics' stored sums go from months to days: the monthly tables are dropped,
the daily ones created, and every day with demands is marked stale so that the next
statistics view computes it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import TruncDate


def mark_every_day_stale(apps, schema_editor):
    Demand = apps.get_model("demands", "Demand")
    DemandStatDay = apps.get_model("demands", "DemandStatDay")
    days = {
        d.date() if hasattr(d, "date") and callable(d.date) else d
        for d in Demand.objects.annotate(d=TruncDate("registered_at"))
        .values_list("d", flat=True)
        .distinct()
        .order_by()
    }
    DemandStatDay.objects.bulk_create(
        (DemandStatDay(day=d, stale=True) for d in days), batch_size=2000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("chains", "0003_snapshot"),
        ("core", "0007_department_head_notification"),
        ("demands", "0006_demand_status_newest"),
    ]

    operations = [
        migrations.DeleteModel(name="DemandStatMonth"),
        migrations.DeleteModel(name="DemandStat"),
        migrations.CreateModel(
            name="DemandStatDay",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False)),
                ("stale", models.BooleanField(default=True)),
            ],
        ),
        migrations.CreateModel(
            name="DemandStat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("category", models.CharField(max_length=20)),
                ("received", models.PositiveIntegerField(default=0)),
                ("resolved", models.PositiveIntegerField(default=0)),
                ("on_time", models.PositiveIntegerField(default=0)),
                ("rated", models.PositiveIntegerField(default=0)),
                ("satisfied", models.PositiveIntegerField(default=0)),
                ("open", models.PositiveIntegerField(default=0)),
                ("handling_seconds", models.BigIntegerField(default=0)),
                ("chain", models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="chains.chain")),
                ("district", models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.region")),
                ("lead", models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.department")),
            ],
            options={
                "indexes": [models.Index(fields=["day", "chain"], name="demand_stat_day_idx")],
            },
        ),
        migrations.RunPython(mark_every_day_stale, migrations.RunPython.noop),
    ]
