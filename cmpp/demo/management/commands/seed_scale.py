"""`seed_scale`: a national-scale programme (hundreds of councils, thousands of learners) on top
of the demo or on an empty database, the same for the same seed."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cmpp.demo.scale import ScaleProgramme, foreign_data, scale_has_run
from cmpp.notifications.models import OutboundEmail
from cohorts.models import Cohort
from councils.models import Council, MaturityAssessment, SupportEngagement
from learners.models import (
    Accreditation,
    AssessmentAttempt,
    CpdEntry,
    Enrolment,
    Learner,
    StepProgress,
)
from networks.models import MeetingAttendance, NetworkMembership

DEFAULT_SEED = 2026


class Command(BaseCommand):
    help = (
        "Add a national-scale programme of councils, cohorts and learners, on top of the demo "
        "or on an empty database. Refuses a database holding other data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--councils", type=int, default=400, help="Councils to add.")
        parser.add_argument("--learners", type=int, default=20000, help="Learners to add.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="The same seed makes the same data."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even if the database holds data that is neither the demo's nor this one's.",
        )

    def handle(self, *args, councils, learners, seed, force, **options):
        if councils < 1 or learners < 1:
            raise CommandError("Give at least one council and one learner.")
        if scale_has_run():
            self.stdout.write("The scale data is already here (seed_scale has run): added nothing.")
            return
        found = foreign_data()
        if found and not force:
            held = " and ".join(
                f"{count} {name if count != 1 else name.removesuffix('s')}"
                for name, count in found.items()
            )
            raise CommandError(
                f"The database holds {held} that are neither the demo's nor seed_scale's; "
                "run with --force to add the scale data anyway."
            )
        started = time.monotonic()
        programme = ScaleProgramme(random.Random(seed), councils=councils, learners=learners)
        with transaction.atomic():
            programme.seed()
        took = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Scale programme added in {took:.1f} seconds."))
        for line in summary():
            self.stdout.write(f"  {line}")
        if options["verbosity"] > 1:
            for step, seconds in programme.timings.items():
                self.stdout.write(f"  {step}: {seconds:.1f} s")


def summary() -> list[str]:
    """What the database now holds (the demo's rows included), a line a subject."""
    statuses = ", ".join(
        f"{count} {label.lower()}"
        for value, label in Learner.Status.choices
        if (count := Learner.objects.filter(status=value).count())
    )
    return [
        f"{Council.objects.count()} councils, {Cohort.objects.count()} cohorts",
        f"{Learner.objects.count()} learners ({statuses})",
        f"{Enrolment.objects.count()} enrolments, {StepProgress.objects.count()} steps done, "
        f"{AssessmentAttempt.objects.count()} assessments, "
        f"{Accreditation.objects.count()} accreditations, {CpdEntry.objects.count()} CPD entries",
        f"{NetworkMembership.objects.count()} network members, "
        f"{MeetingAttendance.objects.count()} meeting marks",
        f"{SupportEngagement.objects.count()} support engagements, "
        f"{MaturityAssessment.objects.count()} maturity assessments",
        f"{OutboundEmail.objects.count()} emails in the outbox",
    ]
