"""The demo programme keeps the portal's own rules, so every page shows what the services would
have written; and each demo login the README lists signs in with the README's password."""

import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db.models import F, Max
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from cmpp.accounts.models import User
from cohorts.models import Cohort, LevelStep
from learners.models import (
    Accreditation,
    CpdEntry,
    Enrolment,
    Learner,
    ResultSource,
    SessionAttendance,
    StepProgress,
)


def readme_demo_logins() -> tuple[str, list[str]]:
    """The password and the addresses in the README's "Demo logins" section."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("### Demo logins", 1)[1].split("\n#", 1)[0]
    password = re.search(r"password `([^`]+)`", section)[1]
    return password, re.findall(r"^\| `([^`]+@[^`]+)` \|", section, re.MULTILINE)


class DemoProgrammeKeepsThePortalsRules(TestCase):
    """Seeded once for the class; each test reads the same programme."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_every_accreditation_renews_when_its_level_says(self):
        """The rule `accreditation_record` uses: re-take Foundation after its months, close the
        first CPD year for Practitioner and Expert."""
        accreditations = list(Accreditation.objects.select_related("level"))
        assert {a.level.slug for a in accreditations} == {"foundation", "practitioner", "expert"}
        wrong = [
            (a.learner_id, a.level.slug, a.achieved_on, a.renewal_due)
            for a in accreditations
            if a.renewal_due != a.level.renewal_due(a.achieved_on)
        ]
        assert wrong == []

    def test_the_readme_demo_logins_sign_in_with_the_readme_password(self):
        password, emails = readme_demo_logins()
        assert len(emails) >= 6
        for email in emails:
            user = User.objects.filter(email=email).first()
            assert user is not None, f"{email} is in the README but was not seeded"
            self.client.logout()
            response = self.client.post(
                reverse("account_login"), {"login": email, "password": password}
            )
            assert response.status_code == 302, email
            assert self.client.session.get("_auth_user_id") == str(user.pk), email

    def test_each_learners_last_progress_is_their_latest_completed_step(self):
        latest = dict(
            StepProgress.objects.filter(status=StepProgress.Status.COMPLETED)
            .values_list("learner")
            .annotate(on=Max("completed_on"))
        )
        wrong = [
            (pk, last_progress_on, latest.get(pk))
            for pk, last_progress_on in Learner.objects.values_list("pk", "last_progress_on")
            if last_progress_on != latest.get(pk)
        ]
        assert wrong == []

    def test_a_learner_is_accredited_when_they_hold_their_target_level(self):
        holders = set(
            Accreditation.objects.filter(level=F("learner__target_level")).values_list(
                "learner", flat=True
            )
        )
        accredited = set(
            Learner.objects.filter(status=Learner.Status.ACCREDITED).values_list("pk", flat=True)
        )
        assert accredited == holders

    def test_places_fill_before_the_waiting_list_which_keeps_the_order_people_joined(self):
        waiting_lists = 0
        for cohort in Cohort.objects.all():
            placed = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED)
            waiting = cohort.enrolments.filter(status=Enrolment.Status.WAITING)
            assert placed.count() <= cohort.capacity, cohort.code
            if waiting.exists():
                waiting_lists += 1
                assert placed.count() == cohort.capacity, cohort.code
                last_placed = placed.order_by("-enrolled_on").first().enrolled_on
                assert waiting.order_by("enrolled_on").first().enrolled_on >= last_placed
        assert waiting_lists >= 1, "the demo should show a waiting list"

    def test_a_workshop_completed_from_the_register_has_its_present_mark(self):
        present = {
            (mark.learner_id, mark.session.step_id, timezone.localdate(mark.session.starts_at))
            for mark in SessionAttendance.objects.filter(
                status=SessionAttendance.Status.PRESENT
            ).select_related("session")
        }
        workshops = StepProgress.objects.filter(
            status=StepProgress.Status.COMPLETED, step__kind=LevelStep.Kind.WORKSHOP
        )
        assert workshops.exists()
        for progress in workshops:
            assert progress.source == ResultSource.ATTENDANCE
            assert (progress.learner_id, progress.step_id, progress.completed_on) in present

    def test_cpd_is_logged_by_holders_of_a_level_that_asks_for_it_after_they_hold_it(self):
        entries = CpdEntry.objects.select_related("learner")
        assert entries.exists()
        for entry in entries:
            since = (
                entry.learner.accreditations.filter(level__cpd_hours_per_year__isnull=False)
                .order_by("achieved_on")
                .values_list("achieved_on", flat=True)
                .first()
            )
            assert since is not None and since <= entry.done_on <= timezone.localdate()
