"""The attendance register is a form: one choice per learner, clear errors, and a button that
marks everyone present."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from learners.models import SessionAttendance
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(cast):
    session = factories.CohortSessionFactory(
        cohort=cast.cohort, starts_at=timezone.now() - timedelta(hours=1)
    )
    return f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/attendance/"


def test_the_register_shows_a_radio_group_per_learner_with_saved_marks(client, cast, url):
    client.force_login(cast.staff)
    client.post(url, {f"mark-{cast.learner_a.pk}": "apologies"})
    page = client.get(url).text
    assert f"{cast.learner_a.full_name}, Council A" in page
    assert f'name="mark-{cast.learner_a.pk}" type="radio" value="apologies" checked' in page
    assert f'name="mark-{cast.learner_b.pk}" type="radio" value="present">' in page


def test_a_mark_that_is_not_a_choice_is_refused_with_the_learners_name(client, cast, url):
    client.force_login(cast.staff)
    response = client.post(
        url, {f"mark-{cast.learner_a.pk}": "present", f"mark-{cast.learner_b.pk}": "late"}
    )
    assert response.status_code == 200
    assert f"Choose present, absent or apologies for {cast.learner_b.full_name}" in response.text
    assert f'href="#id_mark-{cast.learner_b.pk}_0"' in response.text
    assert not SessionAttendance.objects.exists()


def test_an_empty_register_is_refused(client, cast, url):
    client.force_login(cast.staff)
    response = client.post(url, {})
    assert "Mark at least one learner present, absent or sending apologies" in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error:" in response.text
    assert not SessionAttendance.objects.exists()


def test_mark_everyone_present_fills_every_row_without_saving(client, cast, url):
    client.force_login(cast.staff)
    client.post(url, {f"mark-{cast.learner_a.pk}": "absent"})
    response = client.post(url, {"mark_all": "present"})
    assert response.status_code == 200
    assert "Everyone is marked present" in response.text
    for learner in (cast.learner_a, cast.learner_b):
        assert f'name="mark-{learner.pk}" type="radio" value="present" checked' in response.text
    # Nothing is saved until staff save the register.
    assert SessionAttendance.objects.get(learner=cast.learner_a).status == "absent"
    assert not SessionAttendance.objects.filter(learner=cast.learner_b).exists()
    saved = client.post(
        url, {f"mark-{cast.learner_a.pk}": "present", f"mark-{cast.learner_b.pk}": "present"}
    )
    assert saved.status_code == 302
    assert set(SessionAttendance.objects.values_list("status", flat=True)) == {"present"}


def test_the_register_has_the_mark_everyone_present_button(client, cast, url):
    client.force_login(cast.staff)
    buttons = re.findall(r"<button [^>]*>", client.get(url).text)
    assert any('name="mark_all"' in b and 'value="present"' in b for b in buttons)
