"""Each record's page says who changed what, and when."""

from datetime import date

import pytest

from cohorts.services import cohort_update
from learners import services

pytestmark = pytest.mark.django_db


def test_the_learner_page_names_who_changed_which_field_from_what_to_what(client, cast):
    cast.staff.first_name, cast.staff.last_name = "Dana", "Okafor"
    cast.staff.save()
    services.learner_update(
        learner=cast.learner_a, acting_user=cast.staff, job_title="Head of contracts"
    )
    services.learner_set_status(learner=cast.learner_a, status="on_hold", acting_user=cast.staff)
    client.force_login(cast.staff)
    page = client.get(f"/learners/{cast.learner_a.pk}/").text
    assert "Dana Okafor" in page
    assert "Job title: Contract manager to Head of contracts" in page
    assert "Status: Active to On hold" in page


def test_the_cohort_page_shows_its_history(client, cast):
    cohort_update(cohort=cast.cohort, acting_user=cast.staff, capacity=12)
    client.force_login(cast.viewer)
    page = client.get(f"/cohorts/{cast.cohort.pk}/").text
    assert "Capacity: 30 to 12" in page


def test_dates_in_the_history_read_as_dates_not_database_values(client, cast):
    cohort_update(cohort=cast.cohort, acting_user=cast.staff, ends_on=date(2027, 3, 31))
    client.force_login(cast.staff)
    page = client.get(f"/cohorts/{cast.cohort.pk}/").text
    assert "to 31 Mar 2027" in page and "2027-03-31" not in page


def test_history_is_read_in_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    for n in range(25):
        services.learner_update(learner=cast.learner_a, acting_user=cast.staff, grade=f"Grade {n}")
    client.force_login(cast.staff)
    client.get("/healthz")
    with django_assert_max_num_queries(15):
        page = client.get(f"/learners/{cast.learner_a.pk}/").text
    assert "Grade: Grade 23 to Grade 24" in page
