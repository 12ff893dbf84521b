"""The email log sorts the whole outbox newest first: index that order (and the same order
within a purpose), so a page of the log reads one page of index entries at any outbox size."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0010_maturity_purposes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(fields=["-created_at", "-id"], name="outbound_email_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(
                fields=["purpose", "-created_at", "-id"], name="outbound_email_purpose_idx"
            ),
        ),
    ]
