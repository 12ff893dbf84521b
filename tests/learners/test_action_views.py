"""Programme staff change one learner's record: details, status, steps, assessments, places."""

from datetime import date

import pytest
from django.core import mail

from cohorts.models import LevelStep
from learners.models import Enrolment, Learner
from tests import factories

pytestmark = pytest.mark.django_db


def test_staff_edit_a_learners_details_and_the_change_is_in_the_history(client, cast):
    client.force_login(cast.staff)
    url = f"/learners/{cast.learner_a.pk}/edit/"
    assert 'value="learner@a.test"' in client.get(url).text
    data = {
        "council": cast.council_a.pk,
        "first_name": "Priya",
        "last_name": cast.learner_a.last_name,
        "email": "learner@a.test",
        "job_title": "Head of contracts",
        "grade": "",
        "target_level": factories.level("practitioner").pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.first_name == "Priya"
    assert cast.learner_a.history.first().history_user == cast.staff
    clash = client.post(url, {**data, "email": "LEARNER@B.TEST"})
    assert "A learner with this email address is already registered" in clash.text


def test_withdrawing_a_learner_needs_a_reason(client, cast):
    client.force_login(cast.staff)
    url = f"/learners/{cast.learner_a.pk}/status/"
    response = client.post(url, {"status": "withdrawn", "reason": ""})
    assert "Enter why the learner is withdrawing" in response.text
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACTIVE
    client.post(url, {"status": "withdrawn", "reason": "Moved to another authority"})
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.WITHDRAWN
    assert cast.learner_a.enrolments.get().status == Enrolment.Status.WITHDRAWN


def test_staff_put_a_learner_on_hold(client, cast):
    client.force_login(cast.staff)
    client.post(f"/learners/{cast.learner_a.pk}/status/", {"status": "on_hold", "reason": ""})
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ON_HOLD


def test_staff_record_a_step_for_one_learner(client, cast):
    client.force_login(cast.staff)
    step = LevelStep.objects.filter(level__slug="practitioner").order_by("order")[1]
    response = client.post(
        f"/learners/{cast.learner_a.pk}/steps/",
        {"step": step.pk, "on_day": "3", "on_month": "11", "on_year": "2026"},
    )
    assert response.status_code == 302
    assert cast.learner_a.step_progress.get(step=step).completed_on.isoformat() == "2026-11-03"
    future = client.post(
        f"/learners/{cast.learner_a.pk}/steps/",
        {"step": step.pk, "on_day": "3", "on_month": "11", "on_year": "2099"},
    )
    assert "must be today or in the past" in future.text


def test_staff_book_an_assessment_and_record_a_pass(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    client.post(
        f"/learners/{cast.learner_a.pk}/assessments/new/",
        {
            "level": factories.level("practitioner").pk,
            "booked_for_day": "1",
            "booked_for_month": "11",
            "booked_for_year": "2026",
        },
    )
    attempt = cast.learner_a.assessments.get()
    page = client.get(f"/learners/{cast.learner_a.pk}/").text
    assert "Record result" in page
    for step in LevelStep.objects.filter(
        level__slug="practitioner", is_active=True, required_before_assessment=True
    ).exclude(kind=LevelStep.Kind.ASSESSMENT):
        factories.StepProgressFactory(learner=cast.learner_a, step=step)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/learners/{cast.learner_a.pk}/assessments/{attempt.pk}/result/",
            {
                "result": "pass",
                "result_on_day": "15",
                "result_on_month": "11",
                "result_on_year": "2026",
            },
            follow=True,
        )
    assert "Pass recorded" in response.text
    accreditation = cast.learner_a.accreditations.get()
    assert accreditation.renewal_due.isoformat() == "2027-11-15"
    assert [m.to for m in mail.outbox] == [["learner@a.test"]]
    # A result is recorded once.
    again = client.get(f"/learners/{cast.learner_a.pk}/assessments/{attempt.pk}/result/")
    assert again.status_code == 404


def test_staff_move_a_learner_to_another_cohort_keeping_the_old_enrolment(client, cast):
    client.force_login(cast.staff)
    later = factories.CohortFactory(name="Spring cohort")
    enrolment = cast.learner_a.enrolments.get()
    url = f"/learners/{cast.learner_a.pk}/enrolments/{enrolment.pk}/move/"
    assert "Spring cohort" in client.get(url).text
    response = client.post(url, {"to_cohort": later.pk, "reason": "Parental leave"}, follow=True)
    assert "has a place in Spring cohort" in response.text
    assert "Parental leave" in response.text  # the reason shows on the learner's page
    assert list(cast.learner_a.enrolments.order_by("pk").values_list("status", flat=True)) == [
        "deferred",
        "enrolled",
    ]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("withdraw", {}),
        ("move", {"to_cohort": "later"}),
        ("status", {"status": "withdrawn"}),
    ],
)
def test_a_reason_over_500_characters_is_refused_in_plain_words(client, cast, action, data):
    client.force_login(cast.staff)
    enrolment = cast.learner_a.enrolments.get()
    if data.get("to_cohort"):
        data = {"to_cohort": factories.CohortFactory().pk}
    url = {
        "withdraw": f"/learners/{cast.learner_a.pk}/enrolments/{enrolment.pk}/withdraw/",
        "move": f"/learners/{cast.learner_a.pk}/enrolments/{enrolment.pk}/move/",
        "status": f"/learners/{cast.learner_a.pk}/status/",
    }[action]
    too_long = client.post(url, {**data, "reason": "R" * 501})
    assert "Reason must be 500 characters or fewer" in too_long.text
    hidden = client.post(url, {**data, "reason": "Moved\x1b"})
    assert "Reason must not include hidden control characters" in hidden.text
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert cast.learner_a.enrolments.count() == 1


def test_staff_withdraw_a_learner_from_a_cohort(client, cast):
    client.force_login(cast.staff)
    enrolment = cast.learner_a.enrolments.get()
    url = f"/learners/{cast.learner_a.pk}/enrolments/{enrolment.pk}/withdraw/"
    assert "Enter why the learner is leaving the cohort" in client.post(url, {}).text
    client.post(url, {"reason": "Workload"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


ACTIONS = ["edit/", "status/", "steps/", "assessments/new/"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user"])
def test_only_programme_staff_change_a_learner(client, cast, who, action):
    client.force_login(getattr(cast, who))
    url = f"/learners/{cast.learner_a.pk}/{action}"
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "withdrawn", "reason": "x"}).status_code == 403
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACTIVE


def test_the_sro_sees_their_learner_without_staff_buttons(client, cast):
    client.force_login(cast.sro_a)
    page = client.get(f"/learners/{cast.learner_a.pk}/").text
    assert cast.learner_a.full_name in page
    for action in (
        "Edit details",
        "Change status",
        "Book an assessment",
        "Record a completed step",
    ):
        assert action not in page


def _result(day, month="11", year="2026", **more):
    return {
        "result_on_day": day,
        "result_on_month": month,
        "result_on_year": year,
        **more,
    }


def test_a_pass_without_every_step_is_refused_unless_staff_give_a_reason(client, cast):
    client.force_login(cast.staff)
    factories.StepProgressFactory(learner=cast.learner_a)  # 1 step done of many
    attempt = factories.AssessmentAttemptFactory(
        learner=cast.learner_a, booked_for=date(2026, 11, 1)
    )
    url = f"/learners/{cast.learner_a.pk}/assessments/{attempt.pk}/result/"
    refused = client.post(url, _result("15", result="pass"))
    assert "had not completed every step needed before the assessment" in refused.text
    no_reason = client.post(url, _result("15", result="pass", override="on"))
    assert "Enter why the pass is recorded without every step done" in no_reason.text
    early = client.post(
        url,
        _result("15", month="10", result="pass", override="on", override_reason="Prior learning"),
    )
    assert "same as or after the assessment date, 1 November 2026" in early.text
    attempt.refresh_from_db()
    assert attempt.result == "pending" and not cast.learner_a.accreditations.exists()
    accepted = client.post(
        url,
        _result("15", result="pass", override="on", override_reason="Prior learning accepted"),
        follow=True,
    )
    assert "Pass recorded" in accepted.text
    assert "Pass without every step done: Prior learning accepted" in accepted.text
    assert cast.learner_a.accreditations.exists()


def test_staff_correct_a_recorded_result_and_the_accreditation_follows(client, cast):
    client.force_login(cast.staff)
    attempt = factories.AssessmentAttemptFactory(
        learner=cast.learner_a, booked_for=date(2026, 11, 1)
    )
    client.post(
        f"/learners/{cast.learner_a.pk}/assessments/{attempt.pk}/result/",
        _result("15", result="pass", override="on", override_reason="Prior learning"),
    )
    assert cast.learner_a.accreditations.exists()
    page = client.get(f"/learners/{cast.learner_a.pk}/").text
    assert "Correct the result" in page
    url = f"/learners/{cast.learner_a.pk}/assessments/{attempt.pk}/correct/"
    no_reason = client.post(url, _result("15", result="fail"))
    assert "Enter why the result is being corrected" in no_reason.text
    assert cast.learner_a.accreditations.exists()
    corrected = client.post(
        url, _result("15", result="fail", reason="The College sent a correction"), follow=True
    )
    assert "Result corrected to a fail" in corrected.text
    assert "Result corrected: The College sent a correction" in corrected.text
    assert not cast.learner_a.accreditations.exists()
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.status == Learner.Status.ACTIVE
    # A pending assessment has nothing to correct.
    pending = factories.AssessmentAttemptFactory(
        learner=cast.learner_a, level=factories.level("expert")
    )
    assert (
        client.get(f"/learners/{cast.learner_a.pk}/assessments/{pending.pk}/correct/").status_code
        == 404
    )


def test_recording_a_step_a_learner_already_has_says_so(client, cast):
    client.force_login(cast.staff)
    progress = factories.StepProgressFactory(learner=cast.learner_a, completed_on=date(2026, 3, 3))
    response = client.post(
        f"/learners/{cast.learner_a.pk}/steps/",
        {"step": progress.step.pk, "on_day": "2", "on_month": "11", "on_year": "2026"},
    )
    assert (
        f"{cast.learner_a.full_name} has already completed {progress.step.name} (on 3 March 2026)"
    ) in response.text.replace("&#x27;", "'")
    progress.refresh_from_db()
    assert progress.completed_on == date(2026, 3, 3)
