"""Emails about maturity self-assessments: one to review (to the managing body's programme
staff) and one reviewed (to the council's SROs)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_email_attachments_network_purposes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboundemail",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("invitation", "Invitation"),
                    ("learner_added", "Added to the programme"),
                    ("sro_welcome", "SRO welcome"),
                    ("enrolment", "Cohort place"),
                    ("waiting_list", "Waiting list place"),
                    ("withdrawal", "Withdrawn from a cohort"),
                    ("nominations_digest", "Nominations to review"),
                    ("at_risk_digest", "Learners at risk"),
                    ("congratulation", "Congratulation"),
                    ("renewal_reminder", "Renewal reminder"),
                    ("cpd_reminder", "CPD reminder"),
                    ("account", "Password and sign-in"),
                    ("report_ready", "Progress report ready"),
                    ("network_invitation", "Network invitation"),
                    ("network_meeting", "Network meeting"),
                    ("maturity_submitted", "Maturity assessment to review"),
                    ("maturity_reviewed", "Maturity assessment reviewed"),
                ],
                db_index=True,
                max_length=50,
            ),
        ),
    ]
