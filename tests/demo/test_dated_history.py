"""The demo's learners have a dated past, so a progress report as at a past day counts the
learners who had joined by then, each with the status they had then."""

from collections import defaultdict
from io import StringIO

from django.core.management import call_command
from django.db.models import F, Min
from django.test import TestCase
from django.utils import timezone

from cmpp.demo.data import DEMO_TODAY
from cmpp.reports.selectors import learner_counts
from learners.models import Accreditation, Enrolment, Learner

A_YEAR_AGO = DEMO_TODAY.replace(year=DEMO_TODAY.year - 1)


class DemoLearnersHaveADatedPast(TestCase):
    """Seeded once for the class; each test reads the same programme."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_each_learner_joined_by_their_first_enrolment(self):
        first_enrolled = dict(
            Enrolment.objects.values_list("learner").annotate(on=Min("enrolled_on"))
        )
        assert len(first_enrolled) > 300
        late = [
            (pk, timezone.localdate(created_at), first_enrolled[pk])
            for pk, created_at in Learner.objects.values_list("pk", "created_at")
            if pk in first_enrolled and timezone.localdate(created_at) > first_enrolled[pk]
        ]
        assert late == []

    def test_no_learners_history_says_accredited_before_their_accreditation(self):
        achieved = dict(
            Accreditation.objects.filter(level=F("learner__target_level")).values_list(
                "learner", "achieved_on"
            )
        )
        history = defaultdict(list)
        for learner, status, at in Learner.history.order_by("history_date").values_list(
            "id", "status", "history_date"
        ):
            history[learner].append((status, timezone.localdate(at)))
        assert len(achieved) >= 120
        for learner, achieved_on in achieved.items():
            (joined_as, joined_on), *_ = history[learner]
            assert joined_as != Learner.Status.ACCREDITED and joined_on < achieved_on, learner
            early = [
                on
                for status, on in history[learner]
                if status == Learner.Status.ACCREDITED and on < achieved_on
            ]
            assert early == [], (learner, achieved_on)

    def test_a_report_a_year_ago_counts_those_who_had_joined_with_their_status_then(self):
        then = learner_counts(
            Learner.objects.all(), "learners", Learner.Status.ACCREDITED, on=A_YEAR_AGO
        )
        accredited_by_then = Accreditation.objects.filter(
            level=F("learner__target_level"), achieved_on__lte=A_YEAR_AGO
        ).count()

        assert 0 < then["learners"] < Learner.objects.count()
        assert then[Learner.Status.ACCREDITED] == accredited_by_then
        assert accredited_by_then < Learner.objects.filter(status=Learner.Status.ACCREDITED).count()
