"""Each managing body's programme team address, named in every email to its councils' people."""

from django.db import migrations, models

CONTACT_EMAILS = {
    "dluhc": "cmpp@communities.example.gov.uk",
    "local-partnerships": "cmpp@localpartnerships.example.org.uk",
}


def add_contact_emails(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for slug, address in CONTACT_EMAILS.items():
        Organisation.objects.filter(slug=slug, contact_email="").update(contact_email=address)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalorganisation",
            name="contact_email",
            field=models.EmailField(
                blank=True,
                help_text="The programme team's address, named in every email to its councils' people.",
                max_length=254,
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="contact_email",
            field=models.EmailField(
                blank=True,
                help_text="The programme team's address, named in every email to its councils' people.",
                max_length=254,
            ),
        ),
        migrations.RunPython(add_contact_emails, migrations.RunPython.noop),
    ]
