"""Reference data: the areas councils score their contract-management maturity on."""

from django.db import migrations

AREAS = [
    ("Governance and leadership", "Who owns contract management and how decisions are made."),
    ("People and skills", "Accredited, supported contract managers in the right roles."),
    ("Contract planning", "Contract management plans in place before contracts start."),
    ("Performance management", "Measures, reviews and remedies that are used."),
    ("Relationship management", "Working relationships with suppliers at every level."),
    ("Risk and resilience", "Supplier and contract risks known and managed."),
    ("Commercial and financial control", "Payments, changes and savings under control."),
]


def add_areas(apps, schema_editor):
    MaturityArea = apps.get_model("councils", "MaturityArea")
    for order, (name, description) in enumerate(AREAS, start=1):
        MaturityArea.objects.update_or_create(
            name=name, defaults={"order": order, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("councils", "0001_initial")]

    operations = [migrations.RunPython(add_areas, migrations.RunPython.noop)]
