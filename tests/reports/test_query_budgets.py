"""Every list and detail page draws in at most 15 queries, the same at 10 rows as at 500."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cohorts.models import Cohort, LevelStep
from councils.models import Council, ManagingBodyPeriod
from learners.models import Enrolment, Learner, StepProgress
from tests import factories

pytestmark = pytest.mark.django_db

BUDGET = 15


def grow(cast, size):
    """`size` more of everything: councils, cohorts, emails, and learners at council A, half of
    them in the cast's cohort with a step done (the other half waiting to be enrolled)."""
    dluhc = factories.organisation("dluhc")
    gcc = factories.organisation("gcc")
    practitioner = factories.level("practitioner")
    councils = Council.objects.bulk_create(
        Council(
            name=f"Bulk Council {n}",
            code=f"E9{n:07d}",
            council_type=Council.CouncilType.DISTRICT,
            region=Council.Region.EAST,
            status=Council.Status.ACTIVE,
            onboarded_on=date(2022, 1, 1),
            funded_places=5,
        )
        for n in range(size)
    )
    ManagingBodyPeriod.objects.bulk_create(
        ManagingBodyPeriod(council=c, organisation=dluhc, starts_on=date(2022, 1, 1))
        for c in councils
    )
    Cohort.objects.bulk_create(
        Cohort(
            code=f"BULK-{n}",
            name=f"Bulk cohort {n}",
            level=practitioner,
            starts_on=date(2024, 1, 1) + timedelta(days=n),
            ends_on=date(2025, 1, 1) + timedelta(days=n),
            capacity=20,
            delivery_organisation=gcc,
        )
        for n in range(size)
    )
    learners = Learner.objects.bulk_create(
        Learner(
            council=cast.council_a,
            first_name=f"Bulk{n}",
            last_name="Learner",
            email=f"bulk{n}@a.test",
            target_level=practitioner,
            status=Learner.Status.ACTIVE,
            last_progress_on=timezone.localdate(),
        )
        for n in range(size)
    )
    enrolled = learners[::2]
    Enrolment.objects.bulk_create(
        Enrolment(
            learner=learner, cohort=cast.cohort, level=practitioner, enrolled_on=date(2025, 9, 1)
        )
        for learner in enrolled
    )
    step = LevelStep.objects.filter(level=practitioner).order_by("order").first()
    StepProgress.objects.bulk_create(
        StepProgress(
            learner=learner,
            step=step,
            status=StepProgress.Status.COMPLETED,
            completed_on=date(2025, 10, 1),
        )
        for learner in enrolled
    )
    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            key=f"bulk:{n}",
            purpose=OutboundEmail.Purpose.INVITATION,
            to_email=f"bulk{n}@a.test",
            subject="Invitation",
            body_text="Hello",
            status=OutboundEmail.Status.FAILED,
        )
        for n in range(size)
    )


PAGES = {
    "staff": [
        "/",
        "/councils/",
        "/councils/?body=dluhc&sort=-name",
        "/cohorts/",
        "/cohorts/?level=practitioner&status=running",
        "/learners/",
        "/learners/?stalled=yes&sort=-progress",
        "/emails/",
        "/emails/?status=failed",
        "{cohort}",
        "{cohort}enrol/",
        "{cohort}steps/",
        "{session}",
        "{council}",
        "{council}edit/",
        "{learner}",
        "{learner}edit/",
        "{learner}steps/",
        "{learner}assessments/new/",
        "/learners/new/",
        "/councils/new/",
        "/cohorts/new/",
    ],
    "viewer": ["/", "/councils/", "/learners/", "{cohort}", "{council}"],
    "sro_a": ["/", "/councils/", "/learners/", "{council}", "{learner}"],
    "learner_a_user": ["/me/", "/networks/"],
}


def resolve(cast, session, url):
    return url.format(
        cohort=f"/cohorts/{cast.cohort.pk}/",
        session=f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/attendance/",
        council=f"/councils/{cast.council_a.pk}/",
        learner=f"/learners/{cast.learner_a.pk}/",
    )


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize(
    ("who", "url"), [(who, url) for who, urls in PAGES.items() for url in urls]
)
def test_page_stays_within_its_query_budget(
    client, cast, django_assert_max_num_queries, size, who, url
):
    grow(cast, size)
    session = factories.CohortSessionFactory(cohort=cast.cohort)
    client.force_login(getattr(cast, who))
    client.get("/healthz")  # the session's first-request bookkeeping, outside the count
    with django_assert_max_num_queries(BUDGET):
        response = client.get(resolve(cast, session, url))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [10, 500])
def test_the_csv_export_stays_within_its_budget(client, cast, django_assert_max_num_queries, size):
    grow(cast, size)
    client.force_login(cast.staff)
    client.get("/healthz")
    with django_assert_max_num_queries(BUDGET):
        response = client.get("/learners/export.csv")
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == Learner.objects.count() + 1
