"""Programme staff run cohorts in the browser: create, edit, start, sessions, enrol, register,
steps, close. Viewers read; SROs and learners never reach these pages."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cohorts.models import Cohort, CohortSession, LevelStep
from learners.models import Enrolment, SessionAttendance
from tests import factories

pytestmark = pytest.mark.django_db


def cohort_data(**overrides):
    return {
        "name": "Practitioner cohort 9",
        "code": "prac-2027-01",
        "level": factories.level("practitioner").pk,
        "starts_on_day": "11",
        "starts_on_month": "1",
        "starts_on_year": "2027",
        "ends_on_day": "30",
        "ends_on_month": "6",
        "ends_on_year": "2027",
        "capacity": "3",
        "delivery_organisation": factories.organisation("gcc").pk,
        **overrides,
    }


def test_staff_create_a_cohort_which_starts_planned(client, cast):
    client.force_login(cast.staff)
    response = client.post("/cohorts/new/", cohort_data())
    cohort = Cohort.objects.get(code="PRAC-2027-01")
    assert response.url == f"/cohorts/{cohort.pk}/"
    assert cohort.status == Cohort.Status.PLANNED and cohort.capacity == 3
    page = client.get(response.url).text
    assert "Practitioner cohort 9 has been created." in page and "Start cohort" in page
    client.post(f"/cohorts/{cohort.pk}/start/")
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.RUNNING
    assert cohort.history.first().history_user == cast.staff


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on_year": "2026"}, "The end date must be the same as or after the start date"),
        ({"capacity": "0"}, "A cohort needs at least 1 place"),
        ({"name": ""}, "Enter the cohort&#x27;s name"),
        ({"starts_on_day": "32"}, "the start date must be a real date"),
        ({"name": "N" * 201}, "Name must be 200 characters or fewer"),
        ({"code": "C" * 31}, "Code must be 30 characters or fewer"),
        ({"name": "Cohort\x0b9"}, "Name must not include hidden control characters"),
    ],
)
def test_a_bad_cohort_is_explained_and_not_saved(client, cast, overrides, message):
    client.force_login(cast.staff)
    response = client.post("/cohorts/new/", cohort_data(**overrides))
    assert response.status_code == 200 and message.lower() in response.text.lower()
    assert not Cohort.objects.filter(code="PRAC-2027-01").exists()


def test_staff_edit_a_cohort_but_not_its_code_into_anothers(client, cast):
    client.force_login(cast.staff)
    other = factories.CohortFactory(code="PRAC-OTHER")
    url = f"/cohorts/{cast.cohort.pk}/edit/"
    assert 'value="30"' in client.get(url).text  # the current capacity is filled in
    response = client.post(url, cohort_data(code="prac-other"))
    assert "Another cohort already has this code" in response.text
    response = client.post(url, cohort_data(code=cast.cohort.code, capacity="12"))
    cast.cohort.refresh_from_db()
    assert response.status_code == 302 and cast.cohort.capacity == 12
    assert other.code == "PRAC-OTHER"


def test_the_cohort_list_filters_by_level_status_and_year(client, cast):
    client.force_login(cast.viewer)
    factories.CohortFactory(
        name="Expert 2027",
        level=factories.level("expert"),
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 9, 1),
        status=Cohort.Status.PLANNED,
    )
    expert = client.get("/cohorts/?level=expert").text
    assert "Expert 2027" in expert and cast.cohort.name not in expert
    assert "Expert 2027" not in client.get("/cohorts/?status=running").text
    assert "Expert 2027" in client.get("/cohorts/?year=2027").text
    assert "Expert 2027" not in client.get("/cohorts/?year=2025").text
    # Unknown values are ignored rather than failing.
    assert client.get("/cohorts/?level=grandmaster&year=abc&sort=evil").status_code == 200
    assert "Create a cohort" not in expert


def test_sessions_are_added_edited_and_cancelled(client, cast):
    client.force_login(cast.staff)
    step = LevelStep.objects.filter(level__slug="practitioner", kind="workshop").first()
    data = {
        "title": "Workshop 1",
        "step": step.pk,
        "on_day": "12",
        "on_month": "1",
        "on_year": "2026",
        "starts_at": "9:30am",
        "ends_at": "12:30pm",
        "location": "Reading Civic Offices",
        "online_url": "",
    }
    response = client.post(f"/cohorts/{cast.cohort.pk}/sessions/new/", data)
    session = CohortSession.objects.get(title="Workshop 1")
    assert response.status_code == 302
    assert session.starts_at.isoformat() == "2026-01-12T09:30:00+00:00"
    bad = client.post(f"/cohorts/{cast.cohort.pk}/sessions/new/", {**data, "ends_at": "9am"})
    assert "The end time must be after the start time" in bad.text
    long_title = client.post(
        f"/cohorts/{cast.cohort.pk}/sessions/new/", {**data, "title": "W" * 201}
    )
    assert "Title must be 200 characters or fewer" in long_title.text
    long_place = client.post(
        f"/cohorts/{cast.cohort.pk}/sessions/new/", {**data, "location": "L" * 201}
    )
    assert "Location must be 200 characters or fewer" in long_place.text
    assert CohortSession.objects.count() == 1
    client.post(
        f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/edit/", {**data, "ends_at": "13:00"}
    )
    session.refresh_from_db()
    assert session.ends_at.hour == 13
    # Cancelling asks first, and the question changes nothing.
    confirm = client.get(f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/cancel/").text
    assert "Are you sure you want to cancel Workshop 1 on Monday 12 January 2026?" in confirm
    session.refresh_from_db()
    assert not session.is_cancelled
    client.post(f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/cancel/")
    session.refresh_from_db()
    assert session.is_cancelled
    # It is shown apart, as cancelled, and offers no register.
    page = client.get(f"/cohorts/{cast.cohort.pk}/").text
    cancelled = page.split("Cancelled sessions", 1)
    assert len(cancelled) == 2 and "Workshop 1" in cancelled[1]
    assert "Workshop 1" not in cancelled[0].split(">Sessions<", 1)[1]
    assert f"/sessions/{session.pk}/attendance/" not in page
    register = client.get(f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/attendance/")
    assert register.status_code == 404


def test_a_session_must_fall_within_its_cohorts_dates(client, cast):
    client.force_login(cast.staff)
    data = {
        "title": "Late workshop",
        "step": "",
        "on_day": "1",
        "on_month": "4",
        "on_year": "2026",
        "starts_at": "9:30am",
        "ends_at": "12:30pm",
        "location": "Reading Civic Offices",
        "online_url": "",
    }
    refused = client.post(f"/cohorts/{cast.cohort.pk}/sessions/new/", data)
    assert (
        "The session must be between the cohort&#x27;s start and end dates "
        "(1 September 2025 to 31 March 2026). Change the cohort&#x27;s dates first"
    ) in refused.text
    assert not CohortSession.objects.exists()
    accepted = client.post(
        f"/cohorts/{cast.cohort.pk}/sessions/new/", {**data, "on_day": "31", "on_month": "3"}
    )
    assert accepted.status_code == 302
    session = CohortSession.objects.get()
    # Moving it out of the cohort's dates is refused too.
    moved = client.post(
        f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/edit/", {**data, "on_month": "8"}
    )
    assert "The session must be between the cohort" in moved.text
    session.refresh_from_db()
    assert session.starts_at.date() == date(2026, 3, 31)


def test_a_cohorts_dates_cannot_leave_its_sessions_outside(client, cast):
    client.force_login(cast.staff)
    factories.CohortSessionFactory(
        cohort=cast.cohort,
        title="Spring workshop",
        starts_at=datetime(2026, 3, 10, 10, tzinfo=UTC),
        ends_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
    )
    fields = cohort_data(
        code=cast.cohort.code,
        starts_on_day="1",
        starts_on_month="9",
        starts_on_year="2025",
        ends_on_day="28",
        ends_on_month="2",
        ends_on_year="2026",
    )
    refused = client.post(f"/cohorts/{cast.cohort.pk}/edit/", fields)
    assert (
        "The cohort has sessions outside these dates: Spring workshop on 10 March 2026. "
        "Change or cancel those sessions first"
    ) in refused.text
    cast.cohort.refresh_from_db()
    assert cast.cohort.ends_on == date(2026, 3, 31)
    accepted = client.post(
        f"/cohorts/{cast.cohort.pk}/edit/", {**fields, "ends_on_day": "10", "ends_on_month": "3"}
    )
    assert accepted.status_code == 302
    cast.cohort.refresh_from_db()
    assert cast.cohort.ends_on == date(2026, 3, 10)


def test_staff_enrol_chosen_learners_past_capacity_and_see_who_waits(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    cohort = factories.CohortFactory(capacity=2)
    people = [factories.LearnerFactory(last_name=f"Zed{i}") for i in range(3)]
    page = client.get(f"/cohorts/{cohort.pk}/enrol/").text
    assert all(p.full_name in page for p in people)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cohorts/{cohort.pk}/enrol/", {"learners": [p.pk for p in people]})
    assert "2 learners enrolled" in response.text and "1 on the waiting list" in response.text
    statuses = dict(cohort.enrolments.values_list("learner__last_name", "status"))
    assert statuses == {"Zed0": "enrolled", "Zed1": "enrolled", "Zed2": "waiting"}
    # Two places, and the third is told they are number 1 on the waiting list.
    assert len(mail.outbox) == 3
    assert "You are number 1 on the waiting list." in mail.outbox[2].body
    roster = client.get(f"/cohorts/{cohort.pk}/").text
    assert 'Waiting list</strong> <span class="govuk-body-s">number 1</span>' in roster


def test_staff_enrol_a_whole_councils_learners(client, cast):
    client.force_login(cast.staff)
    cohort = factories.CohortFactory()
    council = factories.CouncilFactory()
    mine = factories.LearnerFactory.create_batch(3, council=council)
    factories.LearnerFactory()  # another council's learner stays out
    response = client.post(
        f"/cohorts/{cohort.pk}/enrol/", {"whole_council": "1", "council": council.pk}
    )
    assert "3 learners enrolled" in response.text
    assert set(cohort.enrolments.values_list("learner", flat=True)) == {p.pk for p in mine}


def test_the_enrol_page_offers_a_learner_whose_open_place_is_at_another_level(client, cast):
    """Only an open place at the cohort's own level keeps a learner off the list: an open place
    at another level, and an ended place at this one, do not (not even together)."""
    client.force_login(cast.staff)
    cohort = factories.CohortFactory()  # Practitioner
    both = factories.LearnerFactory(first_name="Offered", last_name="Twoplaces")
    factories.EnrolmentFactory(
        learner=both,
        cohort=factories.CohortFactory(level=factories.level("foundation")),
    )
    factories.EnrolmentFactory(learner=both, cohort=factories.CohortFactory(), status="withdrawn")
    placed = factories.LearnerFactory(first_name="Already", last_name="Placed")
    factories.EnrolmentFactory(learner=placed, cohort=factories.CohortFactory())
    page = client.get(f"/cohorts/{cohort.pk}/enrol/").text
    assert "Twoplaces" in page
    assert "Already Placed" not in page and "Placed, Already" not in page


def test_enrolling_nobody_is_explained(client, cast):
    client.force_login(cast.staff)
    response = client.post(f"/cohorts/{cast.cohort.pk}/enrol/", {})
    assert "Select at least one learner to enrol" in response.text


def test_the_register_records_attendance_and_completes_the_workshop(client, cast):
    client.force_login(cast.staff)
    step = LevelStep.objects.filter(level__slug="practitioner", kind="workshop").first()
    session = factories.CohortSessionFactory(
        cohort=cast.cohort, step=step, starts_at=timezone.now() - timedelta(hours=1)
    )
    url = f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/attendance/"
    page = client.get(url).text
    assert cast.learner_a.full_name in page and "Apologies" in page
    response = client.post(
        url, {f"mark-{cast.learner_a.pk}": "present", f"mark-{cast.learner_b.pk}": "absent"}
    )
    assert response.status_code == 302
    assert SessionAttendance.objects.get(learner=cast.learner_a).status == "present"
    assert cast.learner_a.step_progress.get(step=step).source == "attendance"
    assert "1 present" in client.get(response.url).text
    assert "Mark at least one learner" in client.post(url, {}).text


def test_the_register_of_a_session_that_has_not_started_is_not_open(client, cast):
    client.force_login(cast.staff)
    starts = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
    session = factories.CohortSessionFactory(
        cohort=cast.cohort, title="Workshop 2", starts_at=starts
    )
    url = f"/cohorts/{cast.cohort.pk}/sessions/{session.pk}/attendance/"
    page = client.get(url).text
    message = (
        "The register for Workshop 2 opens when the session starts, "
        "at 9:30am on Monday 1 February 2027"
    )
    assert message in page
    assert "Save attendance" not in page and cast.learner_a.full_name not in page
    posted = client.post(url, {f"mark-{cast.learner_a.pk}": "present"})
    assert message in posted.text
    assert not SessionAttendance.objects.exists()


def test_staff_record_a_step_for_several_learners_from_the_roster(client, cast):
    client.force_login(cast.staff)
    step = LevelStep.objects.filter(level__slug="practitioner").order_by("order").first()
    response = client.post(
        f"/cohorts/{cast.cohort.pk}/steps/",
        {
            "step": step.pk,
            "on_day": "2",
            "on_month": "11",
            "on_year": "2026",
            "learners": [cast.learner_a.pk, cast.learner_b.pk],
        },
    )
    assert "Step recorded for 2 learners" in response.text
    assert step.progress.filter(status="completed").count() == 2


def test_the_bulk_step_page_lists_who_already_had_the_step(client, cast):
    client.force_login(cast.staff)
    step = LevelStep.objects.filter(level__slug="practitioner").order_by("order").first()
    factories.StepProgressFactory(learner=cast.learner_a, step=step, completed_on=date(2026, 3, 3))
    data = {
        "step": step.pk,
        "on_day": "2",
        "on_month": "11",
        "on_year": "2026",
        "learners": [cast.learner_a.pk, cast.learner_b.pk],
    }
    response = client.post(f"/cohorts/{cast.cohort.pk}/steps/", data)
    assert "Step recorded for 1 learner" in response.text
    assert f"{cast.learner_a.full_name}, Council A: completed on 3 March 2026" in response.text
    assert cast.learner_a.step_progress.get(step=step).completed_on == date(2026, 3, 3)
    assert cast.learner_b.step_progress.get(step=step).completed_on == date(2026, 11, 2)
    again = client.post(f"/cohorts/{cast.cohort.pk}/steps/", data)
    assert f"Everyone you selected has already completed {step.name}" in again.text


def test_closing_a_cohort_asks_first(client, cast):
    client.force_login(cast.staff)
    page = client.get(f"/cohorts/{cast.cohort.pk}/close/").text
    assert "Are you sure you want to close this cohort?" in page
    assert "2 enrolled learners will be marked as having completed it" in page
    client.post(f"/cohorts/{cast.cohort.pk}/close/")
    cast.cohort.refresh_from_db()
    assert cast.cohort.status == Cohort.Status.COMPLETED
    assert not Enrolment.objects.filter(status="enrolled").exists()


STAFF_ONLY = [
    ("get", "/cohorts/new/"),
    ("get", "/cohorts/{c}/edit/"),
    ("post", "/cohorts/{c}/start/"),
    ("get", "/cohorts/{c}/sessions/new/"),
    ("get", "/cohorts/{c}/enrol/"),
    ("post", "/cohorts/{c}/enrol/"),
    ("get", "/cohorts/{c}/close/"),
    ("post", "/cohorts/{c}/close/"),
    ("get", "/cohorts/{c}/steps/"),
]


@pytest.mark.parametrize(("method", "url"), STAFF_ONLY)
@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user"])
def test_only_programme_staff_change_cohorts(client, cast, who, method, url):
    client.force_login(getattr(cast, who))
    response = getattr(client, method)(url.format(c=cast.cohort.pk))
    assert response.status_code == 403
    cast.cohort.refresh_from_db()
    assert cast.cohort.status == Cohort.Status.RUNNING


def test_viewers_see_the_cohort_page_without_buttons_that_change_it(client, cast):
    client.force_login(cast.viewer)
    page = client.get(f"/cohorts/{cast.cohort.pk}/").text
    assert cast.learner_a.full_name in page
    for button in ("Enrol learners", "Edit cohort", "Close cohort", "Add a session"):
        assert button not in page
