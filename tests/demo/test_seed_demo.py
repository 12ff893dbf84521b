"""`seed_demo`: the demo programme the README promises, the same however many times it runs."""

from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from cohorts.models import Cohort
from councils.models import Council, ManagingBodyPeriod
from learners.models import Learner
from tests import factories

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "cmpp-demo-2026"
DEMO_LOGINS = [
    "staff@dluhc.example.gov.uk",
    "staff@localpartnerships.example.org.uk",
    "viewer@ccs.example.gov.uk",
    "sro@warwickshire.example.gov.uk",
    "sro@reading.example.gov.uk",
    "learner@reading.example.gov.uk",
]
SEEDED_APPS = ["accounts", "councils", "cohorts", "learners", "networks", "notifications"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Every table the seed writes to, history included."""
    return {
        model._meta.label: model.objects.count()
        for label in SEEDED_APPS
        for model in apps.get_app_config(label).get_models()
    }


def current_body(council: Council) -> str:
    return council.managing_body_periods.get(ends_on__isnull=True).organisation.slug


def test_seed_demo_builds_the_promised_programme_and_a_second_run_adds_nothing():
    output = seed()
    first_run = row_counts()
    seed()

    assert row_counts() == first_run
    assert "left alone" in seed("--if-empty")
    assert row_counts() == first_run
    assert "cmpp-demo-2026" in output

    assert Council.objects.count() == 56
    assert Learner.objects.count() == 400
    emails = [email.lower() for email in Learner.objects.values_list("email", flat=True)]
    assert len(set(emails)) == len(emails)

    for code in ("E10000031", "E06000038"):
        council = Council.objects.get(code=code)
        assert council.onboarded_on < date(2023, 7, 1)
        assert current_body(council) == "dluhc"
    assert Council.objects.get(code="E10000031").name == "Warwickshire County Council"
    assert Council.objects.get(code="E06000038").name == "Reading Borough Council"
    managed_by_local_partnerships = ManagingBodyPeriod.objects.filter(
        ends_on__isnull=True,
        organisation__slug="local-partnerships",
        council__onboarded_on__gte=date(2023, 10, 1),
    )
    assert managed_by_local_partnerships.count() >= 10
    handed_over = ManagingBodyPeriod.objects.filter(
        organisation__slug="dluhc", ends_on__year=2024
    ).values_list("council__code", flat=True)
    assert len(handed_over) >= 2
    assert not {"E10000031", "E06000038"} & set(handed_over)

    for email in DEMO_LOGINS:
        assert authenticate(username=email, password=DEMO_PASSWORD) is not None, email
    reading_learner = Learner.objects.get(email="learner@reading.example.gov.uk")
    assert reading_learner.user.email == "learner@reading.example.gov.uk"
    assert reading_learner.council.code == "E06000038"
    assert reading_learner.enrolments.get().cohort.sessions.filter(starts_at__year=2027).exists()

    assert 120 <= Learner.objects.filter(status=Learner.Status.ACCREDITED).count() <= 160
    assert Cohort.objects.count() >= 6
    earliest = Cohort.objects.order_by("starts_on").first()
    assert (earliest.starts_on.year, earliest.starts_on.month) == (2021, 11)


def test_if_empty_leaves_a_database_with_councils_alone():
    factories.CouncilFactory()

    output = seed("--if-empty")

    assert "left alone" in output
    assert Council.objects.count() == 1
    assert Learner.objects.count() == 0
