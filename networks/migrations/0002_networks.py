"""Reference data: every council is invited to these two networks."""

from django.db import migrations

NETWORKS = [
    (
        "learners-network",
        "Learners Network",
        "learners",
        "A community of practice for officers on the programme to share what works.",
    ),
    (
        "sro-network",
        "SRO Network",
        "sros",
        "A community of practice for councils' senior responsible owners.",
    ),
]


def add_networks(apps, schema_editor):
    Network = apps.get_model("networks", "Network")
    for slug, name, audience, description in NETWORKS:
        Network.objects.update_or_create(
            slug=slug, defaults={"name": name, "audience": audience, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("networks", "0001_initial")]

    operations = [migrations.RunPython(add_networks, migrations.RunPython.noop)]
