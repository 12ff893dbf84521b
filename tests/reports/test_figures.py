"""Each programme figure from known records, and the pages showing the numbers the figures give:
a number is computed in one place."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cmpp.reports import selectors as figures
from learners.models import Enrolment, Learner
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(cast):
    """Council A: learner A (enrolled in the cast's funded cohort), one stalled active learner,
    one accredited twice, one withdrawn. Council B: learner B (enrolled)."""
    long_ago = timezone.now() - timedelta(weeks=30)
    stalled = factories.LearnerFactory(council=cast.council_a, last_progress_on=None)
    Learner.objects.filter(pk=stalled.pk).update(created_at=long_ago)
    accredited = factories.LearnerFactory(council=cast.council_a, status=Learner.Status.ACCREDITED)
    factories.AccreditationFactory(
        learner=accredited, level=factories.level("foundation"), achieved_on=date(2024, 3, 1)
    )
    factories.AccreditationFactory(
        learner=accredited, level=factories.level("practitioner"), achieved_on=date(2025, 6, 1)
    )
    withdrawn = factories.LearnerFactory(council=cast.council_a, status=Learner.Status.WITHDRAWN)
    factories.EnrolmentFactory(
        learner=withdrawn, cohort=cast.cohort, status=Enrolment.Status.WITHDRAWN
    )
    return cast


def test_each_figure_over_a_councils_learners(programme):
    learners = Learner.objects.filter(council=programme.council_a)
    by_status = figures.learners_by_status(learners)
    assert by_status["Active"] == 2 and by_status["Accredited"] == 1
    assert by_status["Withdrawn"] == 1 and sum(by_status.values()) == 4
    assert figures.at_risk_count(learners) == 1
    # Learner A holds a place at a funded level; a withdrawn place uses none.
    assert figures.funded_places_used(learners) == 1
    assert figures.accreditation_count(learners) == 2
    assert dict(figures.accreditations_by_level(learners)) == {
        "Foundation": 1,
        "Practitioner": 1,
        "Expert": 0,
    }


def test_the_pages_show_the_figures(client, programme):
    cast = programme
    learners = Learner.objects.filter(council=cast.council_a)

    client.force_login(cast.sro_a)
    home = client.get("/").text
    assert (
        f'<span class="cmpp-figure__number">{figures.at_risk_count(learners)}</span> at risk'
        in home
    )
    assert f"{figures.funded_places_used(learners)}</span> funded places used" in home
    assert f"{figures.accreditation_count(learners)}</span> accreditations" in home

    client.force_login(cast.staff)
    everyone = Learner.objects.all()
    dashboard = client.get("/").text
    assert f"{sum(figures.learners_by_status(everyone).values())}</span> learners" in dashboard
    assert f"{figures.funded_places_used(everyone)} used of" in dashboard
    council_page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert f"{figures.funded_places_used(learners)} used" in council_page
