"""`seed_scale`: a national-scale programme, the same for the same seed, added once, and never
over data that is not the demo's or its own unless forced."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max

from cmpp.accounts.models import User
from cmpp.notifications.models import OutboundEmail
from cohorts.models import Cohort
from councils.models import Council, CouncilRole, ManagingBodyPeriod, MaturityAssessment
from learners.models import Accreditation, Enrolment, Learner, StepProgress
from networks.models import MeetingAttendance
from tests import factories

pytestmark = pytest.mark.django_db

SEEDED_APPS = ["accounts", "councils", "cohorts", "learners", "networks", "notifications"]


def seed_scale(*args) -> str:
    out = StringIO()
    call_command("seed_scale", "--councils", "5", "--learners", "60", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Every table the seed writes to, history included."""
    return {
        model._meta.label: model.objects.count()
        for label in SEEDED_APPS
        for model in apps.get_app_config(label).get_models()
    }


def learners_seen() -> list[tuple[str, str]]:
    return list(Learner.objects.order_by("email").values_list("email", "status"))


def wipe_scale():
    """Removes what a run made, so the next run starts from the same empty database."""
    OutboundEmail.objects.all().delete()
    Learner.objects.all().delete()
    Cohort.objects.all().delete()
    Council.objects.all().delete()
    User.objects.all().delete()


def test_a_small_run_makes_the_numbers_asked_for_with_a_council_each_its_own():
    output = seed_scale()

    assert "5 councils" in output and "60 learners" in output and "seconds" in output
    councils = Council.objects.order_by("code")
    assert councils.count() == 5
    assert councils.first().name == "Scale District Council 0001"
    assert all(code.startswith("E99") for code in councils.values_list("code", flat=True))
    # Each council has its SRO, who cannot sign in before being invited, and a managing body.
    sros = CouncilRole.objects.filter(role=CouncilRole.Role.SRO).select_related("user")
    assert sros.count() == 5
    assert not any(role.user.has_usable_password() for role in sros)
    assert ManagingBodyPeriod.objects.filter(ends_on__isnull=True).count() == 5
    # Learners in cohorts of about 25, a few statuses, progress, and awards for the accredited.
    assert Learner.objects.count() == 60
    assert Cohort.objects.count() == 3
    assert Enrolment.objects.count() == 60
    assert StepProgress.objects.exists()
    accredited = Learner.objects.filter(status=Learner.Status.ACCREDITED)
    assert accredited.exists()
    assert Accreditation.objects.filter(learner__in=accredited).count() == accredited.count()
    assert Learner.objects.filter(status=Learner.Status.ACTIVE).exists()
    assert MaturityAssessment.objects.filter(status=MaturityAssessment.Status.ACCEPTED).exists()
    assert MeetingAttendance.objects.exists()
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() >= 60


def test_every_learner_has_history_and_their_latest_step_as_the_services_keep_it():
    seed_scale()

    with_history = Learner.history.values("id").distinct().count()
    assert with_history == Learner.objects.count() == 60
    latest = dict(
        StepProgress.objects.values("learner")
        .annotate(on=Max("completed_on"))
        .values_list("learner", "on")
    )
    for learner in Learner.objects.all():
        assert learner.last_progress_on == latest.get(learner.pk)
    # Funded places cover the places each council's learners hold at a funded level.
    held = dict(
        Enrolment.objects.filter(
            level__is_funded=True,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
        .values("learner__council")
        .annotate(n=Count("learner", distinct=True))
        .values_list("learner__council", "n")
    )
    for council in Council.objects.all():
        assert council.funded_places >= held.get(council.pk, 0)


def test_the_same_seed_makes_the_same_learners_and_another_seed_does_not():
    seed_scale("--seed", "7")
    first = learners_seen()
    wipe_scale()
    assert not Learner.objects.exists()

    seed_scale("--seed", "7")
    assert learners_seen() == first

    wipe_scale()
    seed_scale("--seed", "8")
    assert learners_seen() != first


def test_a_second_run_says_it_has_run_and_adds_nothing():
    seed_scale()
    first_run = row_counts()

    output = seed_scale()

    assert "already" in output
    assert row_counts() == first_run


def test_it_refuses_a_database_holding_other_learners_unless_forced():
    factories.LearnerFactory(email="someone@elsewhere.example.org")

    with pytest.raises(CommandError, match="1 learner .*--force"):
        seed_scale()
    assert not Council.objects.filter(code__startswith="E99").exists()

    seed_scale("--force")
    assert Council.objects.filter(code__startswith="E99").count() == 5
