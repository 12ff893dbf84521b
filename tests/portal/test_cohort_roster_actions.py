"""Staff withdraw or move a learner from the cohort page's roster and come back to it."""

from datetime import date

import pytest
from django.urls import reverse

from learners.models import Enrolment
from tests import factories

pytestmark = pytest.mark.django_db


def urls(cast, action):
    enrolment = cast.learner_a.enrolments.get()
    cohort_url = reverse("cohorts:detail", args=[cast.cohort.pk])
    url = reverse(f"learners:enrolment_{action}", args=[cast.learner_a.pk, enrolment.pk])
    return enrolment, cohort_url, url


def test_the_roster_links_each_row_to_withdraw_and_move_for_staff_only(cast, client):
    enrolment, cohort_url, withdraw = urls(cast, "withdraw")
    client.force_login(cast.staff)
    page = client.get(cohort_url).text
    assert f"{withdraw}?next={cohort_url}" in page
    assert reverse("learners:enrolment_move", args=[cast.learner_a.pk, enrolment.pk]) in page
    client.force_login(cast.viewer)
    assert withdraw not in client.get(cohort_url).text


def test_withdrawing_from_the_roster_returns_to_the_cohort(cast, client):
    enrolment, cohort_url, withdraw = urls(cast, "withdraw")
    client.force_login(cast.staff)
    page = client.get(f"{withdraw}?next={cohort_url}").text
    assert f'href="{cohort_url}" class="govuk-back-link">Back to {cast.cohort.name}' in page
    response = client.post(f"{withdraw}?next={cohort_url}", {"reason": "Changed job"})
    assert response.status_code == 302 and response.url == cohort_url
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_a_refused_withdrawal_keeps_the_way_back_and_changes_nothing(cast, client):
    enrolment, cohort_url, withdraw = urls(cast, "withdraw")
    client.force_login(cast.staff)
    response = client.post(f"{withdraw}?next={cohort_url}", {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the learner is leaving the cohort" in response.text
    assert f'href="{cohort_url}"' in response.text
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_moving_from_the_roster_returns_to_the_cohort(cast, client):
    enrolment, cohort_url, move = urls(cast, "move")
    later = factories.CohortFactory(starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 1))
    client.force_login(cast.staff)
    response = client.post(
        f"{move}?next={cohort_url}", {"to_cohort": later.pk, "reason": "Caring responsibilities"}
    )
    assert response.status_code == 302 and response.url == cohort_url
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.DEFERRED


@pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/x"])
def test_a_next_off_the_portal_is_ignored(cast, client, bad):
    _, _, withdraw = urls(cast, "withdraw")
    client.force_login(cast.staff)
    response = client.post(f"{withdraw}?next={bad}", {"reason": "Changed job"})
    assert response.url == reverse("learners:detail", args=[cast.learner_a.pk])
