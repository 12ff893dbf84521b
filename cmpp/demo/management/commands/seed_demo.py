"""`seed_demo`: a deterministic demo programme of councils, cohorts, learners and networks."""

import logging
import random
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import transaction

from cmpp.demo.data import DEMO_LOGINS, DEMO_PASSWORD, SEED
from cmpp.demo.programme import DemoProgramme
from cohorts.models import Cohort
from councils.models import Council
from learners.models import Accreditation, Learner


@contextmanager
def emails_sent_quietly():
    """Without a worker, the outbox sends the seed's emails (SRO welcomes and invitations, places
    in a cohort) as the seed commits, and Celery would log a line for each."""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    help = "Fill the portal with a deterministic demo programme. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any council exists (used by `make run`).",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Council.objects.exists():
            self.stdout.write("Councils already exist, so the demo data was left alone.")
            return
        with emails_sent_quietly(), transaction.atomic():
            DemoProgramme(random.Random(SEED)).seed()
        self.stdout.write(self.style.SUCCESS("Demo programme ready."))
        self.stdout.write(
            f"  {Council.objects.count()} councils, {Learner.objects.count()} learners, "
            f"{Cohort.objects.count()} cohorts, {Accreditation.objects.count()} accreditations"
        )
        self.stdout.write(f"\nDemo logins, all with the password {DEMO_PASSWORD}:")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<40} {role}")
