"""Reference data: the organisations that run, deliver and observe the programme."""

from django.db import migrations

ORGANISATIONS = [
    # slug, name, short name, kind, can manage councils
    ("dluhc", "Ministry of Housing, Communities and Local Government", "MHCLG", "government", True),
    ("local-partnerships", "Local Partnerships", "Local Partnerships", "delivery", True),
    ("ccs", "Crown Commercial Service", "CCS", "observer", False),
    ("lga", "Local Government Association", "LGA", "observer", False),
    ("cabinet-office", "Cabinet Office", "Cabinet Office", "observer", False),
    ("gcc", "Government Commercial College", "GCC", "delivery", False),
]


def add_organisations(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for slug, name, short_name, kind, can_manage in ORGANISATIONS:
        Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short_name,
                "kind": kind,
                "can_manage_councils": can_manage,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(add_organisations, migrations.RunPython.noop)]
