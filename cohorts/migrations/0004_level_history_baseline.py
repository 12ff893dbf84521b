"""A first history record for each level and step that has none (the reference data was loaded
without history), so that the first change staff make shows what it changed from."""

from django.db import migrations


def add_baseline_history(apps, schema_editor):
    for model_name in ("AccreditationLevel", "LevelStep"):
        model = apps.get_model("cohorts", model_name)
        historical = apps.get_model("cohorts", f"Historical{model_name}")
        recorded = set(historical.objects.values_list("id", flat=True))
        fields = [field.attname for field in model._meta.concrete_fields]
        historical.objects.bulk_create(
            historical(
                **{name: getattr(record, name) for name in fields},
                history_date=record.updated_at,
                history_type="+",
                history_change_reason="Loaded with the programme's reference data",
            )
            for record in model.objects.exclude(pk__in=recorded)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0003_step_required_before_assessment"),
    ]

    operations = [migrations.RunPython(add_baseline_history, migrations.RunPython.noop)]
