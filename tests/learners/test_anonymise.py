"""Learners withdrawn more than CMPP_ANONYMISE_AFTER_YEARS ago lose their personal data, and the
programme's figures stay as they were."""

from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cmpp.reports.selectors import programme_figures
from councils.models import Council
from learners import services, tasks
from learners.models import CpdEntry, Enrolment, Learner, Nomination
from networks.models import MeetingAttendance, NetworkMembership
from tests import factories
from tests.networks.factories import MeetingFactory, joined, learners_network

pytestmark = pytest.mark.django_db

# Everything that says who the long-gone learner was: no row anywhere may hold any of it.
PERSONAL = (
    "Quillonbe",
    "Marrowfieldqx",
    "quillon@oldtown.example.gov.uk",
    "Keeper-of-Ledgers-Qx",
    "Grade-Qx-9",
    "moved abroad to look after a parent",
    "Qx-Workshop-On-Lanterns",
    "Qx reflection on my confidence",
    "result corrected for Quillonbe",
)


def _years_ago(years: int, days: int = 0):
    return timezone.now() - timedelta(days=365 * years + days)


def _withdrawn_learner(cast, *, withdrawn_at, **fields) -> Learner:
    """A learner who joined, was withdrawn at `withdrawn_at`, with their history dated so."""
    learner = factories.LearnerFactory(council=cast.council_a, **fields)
    services.learner_set_status(
        learner=learner,
        status=Learner.Status.WITHDRAWN,
        acting_user=cast.staff,
        reason="They moved abroad to look after a parent",
    )
    history = Learner.history.filter(id=learner.pk).order_by("history_date")
    first, *rest = list(history)
    Learner.history.filter(pk=first.pk).update(history_date=withdrawn_at - timedelta(days=400))
    Learner.history.filter(pk__in=[r.pk for r in rest]).update(history_date=withdrawn_at)
    Learner.objects.filter(pk=learner.pk).update(
        created_at=withdrawn_at - timedelta(days=400), updated_at=withdrawn_at
    )
    learner.refresh_from_db()
    return learner


@pytest.fixture
def gone(cast):
    """A learner withdrawn seven years ago with everything the portal can hold about someone:
    an account with an authenticator, an allauth address and a live session, places, steps, an
    assessment with a staff note, an accreditation, CPD, a nomination, emails, and network
    membership and attendance."""
    user = factories.UserFactory(
        email="quillon@oldtown.example.gov.uk", first_name="Quillonbe", last_name="Marrowfieldqx"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    learner = factories.LearnerFactory(
        council=cast.council_a,
        first_name="Quillonbe",
        last_name="Marrowfieldqx",
        email="quillon@oldtown.example.gov.uk",
        job_title="Keeper-of-Ledgers-Qx",
        grade="Grade-Qx-9",
        user=user,
    )
    enrolment = factories.EnrolmentFactory(learner=learner, cohort=cast.cohort)
    factories.StepProgressFactory(learner=learner, completed_on=date(2019, 3, 1))
    attempt = factories.AssessmentAttemptFactory(learner=learner, booked_for=date(2019, 4, 1))
    attempt._change_reason = "result corrected for Quillonbe"
    attempt.result, attempt.result_on = "fail", date(2019, 4, 2)
    attempt.save()
    factories.AccreditationFactory(
        learner=learner, level=factories.level("foundation"), achieved_on=date(2018, 6, 1)
    )
    CpdEntry.objects.create(
        learner=learner,
        done_on=date(2019, 1, 5),
        hours=2,
        activity="Qx-Workshop-On-Lanterns",
        reflection="Qx reflection on my confidence",
    )
    Nomination.objects.create(
        council=cast.council_a,
        nominated_by=cast.sro_a,
        first_name="Quillonbe",
        last_name="Marrowfieldqx",
        email="quillon@oldtown.example.gov.uk",
        job_title="Keeper-of-Ledgers-Qx",
        target_level=factories.level("practitioner"),
        status=Nomination.Status.APPROVED,
        learner=learner,
    )
    network = learners_network()
    joined(network, cast.council_a, users=[user])
    meeting = MeetingFactory(network=network, starts_at=timezone.now() - timedelta(days=1))
    MeetingAttendance.objects.create(
        meeting=meeting,
        membership=NetworkMembership.objects.get(user=user),
        status=MeetingAttendance.Status.ATTENDED,
    )
    for status, key in (("sent", "welcome"), ("pending", "later")):
        OutboundEmail.objects.create(
            key=f"{key}:quillon@oldtown.example.gov.uk",
            purpose=OutboundEmail.Purpose.ENROLMENT,
            to_email="quillon@oldtown.example.gov.uk",
            subject="Your place, Quillonbe",
            body_text="Dear Quillonbe Marrowfieldqx, Keeper-of-Ledgers-Qx",
            status=status,
            sent_at=timezone.now() if status == "sent" else None,
        )
    # An email to someone else that names them: their SRO's at-risk digest, years ago.
    OutboundEmail.objects.create(
        key="at_risk_digest:sro-a:2019-05-06",
        purpose=OutboundEmail.Purpose.AT_RISK_DIGEST,
        to_email=cast.sro_a.email,
        subject="2 learners at Council A with no progress for 8 weeks",
        body_text=(
            "- Quillonbe Marrowfieldqx, last progress: 1 March 2019\n- Ada Lovelace, no steps"
        ),
        status="sent",
        sent_at=timezone.now(),
    )
    services.learner_set_status(
        learner=learner,
        status=Learner.Status.WITHDRAWN,
        acting_user=cast.staff,
        reason="They moved abroad to look after a parent",
    )
    assert Enrolment.objects.get(pk=enrolment.pk).reason
    # Dated seven years back: joined eight years ago, withdrawn seven.
    withdrawn_at = _years_ago(7)
    first, *rest = list(Learner.history.filter(id=learner.pk).order_by("history_date"))
    Learner.history.filter(pk=first.pk).update(history_date=_years_ago(8))
    Learner.history.filter(pk__in=[r.pk for r in rest]).update(history_date=withdrawn_at)
    Learner.objects.filter(pk=learner.pk).update(created_at=_years_ago(8), updated_at=withdrawn_at)
    session = Client()
    session.force_login(user)
    learner.refresh_from_db()
    learner.session = session
    return learner


def _everything_stored() -> str:
    """Every row of every table, as JSON: what a copy of the database would hold."""
    return "".join(
        serializers.serialize("json", model._default_manager.all())
        for model in apps.get_models()
        if model._meta.managed
    )


def _figures() -> list[dict]:
    today = timezone.localdate()
    return [
        programme_figures(councils=Council.objects.all(), learners=Learner.objects.all(), on=on)
        for on in (
            None,
            today,
            today - timedelta(days=365 * 7 + 200),
            today - timedelta(days=365 * 6),
            date(2019, 6, 30),
        )
    ]


def test_anonymising_removes_every_personal_field_and_keeps_the_figures(cast, gone):
    stored = _everything_stored()
    assert [text for text in PERSONAL if text not in stored] == [], "the fixture holds them all"
    figures_before = _figures()
    counts_before = {
        "enrolments": gone.enrolments.count(),
        "steps": gone.step_progress.count(),
        "assessments": gone.assessments.count(),
        "accreditations": gone.accreditations.count(),
        "cpd_hours": sum(entry.hours for entry in gone.cpd_entries.all()),
        "memberships": NetworkMembership.objects.count(),
        "attendance": MeetingAttendance.objects.count(),
        "history": Learner.history.filter(id=gone.pk).count(),
    }

    assert services.learners_anonymise_due() == 1

    stored = _everything_stored()
    assert [text for text in PERSONAL if text.lower() in stored.lower()] == []
    gone.refresh_from_db()
    assert gone.full_name == "Anonymised learner"
    assert gone.email == f"learner-{gone.pk}@anonymised.invalid"
    assert (gone.job_title, gone.grade, gone.anonymised_on) == ("", "", timezone.localdate())
    assert gone.council_id == cast.council_a.pk and gone.status == Learner.Status.WITHDRAWN

    user = gone.user
    assert (user.first_name, user.last_name, user.is_active) == ("", "", False)
    assert user.email == f"user-{user.pk}@anonymised.invalid"
    assert not user.has_usable_password()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    # Signed out: their live session no longer opens their page.
    assert gone.session.get(reverse("me")).status_code == 302

    history = Learner.history.filter(id=gone.pk)
    assert {(h.first_name, h.last_name, h.job_title, h.grade) for h in history} == {
        ("Anonymised", "learner", "", "")
    }
    assert (
        not history.exclude(history_change_reason__isnull=True)
        .exclude(history_change_reason="Personal data anonymised")
        .exists()
    )
    # The sent email stays in the log, emptied; the one never sent is gone.
    [email] = OutboundEmail.objects.filter(purpose=OutboundEmail.Purpose.ENROLMENT)
    assert email.status == "sent" and "anonymised.invalid" in email.to_email
    assert email.subject == "Removed"

    assert _figures() == figures_before
    assert {
        "enrolments": gone.enrolments.count(),
        "steps": gone.step_progress.count(),
        "assessments": gone.assessments.count(),
        "accreditations": gone.accreditations.count(),
        "cpd_hours": sum(entry.hours for entry in gone.cpd_entries.all()),
        "memberships": NetworkMembership.objects.count(),
        "attendance": MeetingAttendance.objects.count(),
        "history": Learner.history.filter(id=gone.pk).count() - 1,  # the anonymisation's own
    } == counts_before


def test_learners_not_yet_due_and_not_withdrawn_are_untouched(cast):
    recent = _withdrawn_learner(cast, withdrawn_at=_years_ago(5, days=300))
    active = factories.LearnerFactory(council=cast.council_a)
    Learner.history.filter(id=active.pk).update(history_date=_years_ago(9))
    Learner.objects.filter(pk=active.pk).update(created_at=_years_ago(9), updated_at=_years_ago(9))
    # Withdrawn eight years ago, brought back, and withdrawn again two years ago: counts from then.
    again = _withdrawn_learner(cast, withdrawn_at=_years_ago(8))
    back = Learner.history.filter(id=again.pk).order_by("-history_date").first()
    back.status, back.history_date = Learner.Status.ACTIVE, _years_ago(4)
    back.history_id = None
    back.save()
    withdrawn_again = Learner.history.filter(id=again.pk).order_by("-history_date").first()
    withdrawn_again.status, withdrawn_again.history_date = Learner.Status.WITHDRAWN, _years_ago(2)
    withdrawn_again.history_id = None
    withdrawn_again.save()
    before = {learner.pk: (learner.full_name, learner.email) for learner in Learner.objects.all()}

    assert services.learners_anonymise_due() == 0

    assert {
        learner.pk: (learner.full_name, learner.email) for learner in Learner.objects.all()
    } == before
    assert not Learner.objects.filter(anonymised_on__isnull=False).exists()
    assert {recent.pk, active.pk, again.pk} <= set(before)


def test_a_record_without_history_counts_from_its_last_change(cast):
    """A learner loaded in bulk has no history saying when they withdrew: their last change is
    the earliest they can have withdrawn, so they are anonymised no earlier than that allows."""
    old = factories.LearnerFactory(council=cast.council_a, status=Learner.Status.WITHDRAWN)
    newer = factories.LearnerFactory(council=cast.council_a, status=Learner.Status.WITHDRAWN)
    Learner.history.filter(id__in=[old.pk, newer.pk]).delete()
    Learner.objects.filter(pk=old.pk).update(updated_at=_years_ago(6, days=10))
    Learner.objects.filter(pk=newer.pk).update(updated_at=_years_ago(5))

    assert set(services.learners_due_for_anonymising().values_list("pk", flat=True)) == {old.pk}


def test_the_years_are_a_setting(cast, settings):
    learner = _withdrawn_learner(cast, withdrawn_at=_years_ago(3))
    assert services.learners_anonymise_due() == 0
    settings.CMPP_ANONYMISE_AFTER_YEARS = 2
    assert services.learners_anonymise_due() == 1
    learner.refresh_from_db()
    assert learner.anonymised_on is not None


def test_anonymising_again_changes_nothing(cast, gone):
    assert services.learners_anonymise_due() == 1
    stored = _everything_stored()
    assert services.learners_anonymise_due() == 0
    assert services.learners_anonymise(learner_ids=[gone.pk]) == 0
    assert _everything_stored() == stored


def test_the_monthly_task_runs_it_in_batches(cast, gone):
    others = [_withdrawn_learner(cast, withdrawn_at=_years_ago(7)) for _ in range(2)]
    assert services.learners_anonymise_due(batch_size=1) == 3
    assert Learner.objects.filter(anonymised_on__isnull=False).count() == 3
    for learner in others:
        learner.refresh_from_db()
        assert learner.full_name == "Anonymised learner"

    fresh = _withdrawn_learner(cast, withdrawn_at=_years_ago(7))
    assert tasks.learners_anonymise_due_task.delay().get() == 1
    fresh.refresh_from_db()
    assert fresh.anonymised_on == timezone.localdate()


def test_the_monthly_schedule_names_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["learners-anonymise"]
    assert entry["task"] == tasks.learners_anonymise_due_task.name
    assert entry["schedule"].day_of_month == {1} and entry["schedule"].hour == {3}
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "reports"}


def test_an_account_still_needed_for_another_role_is_kept_and_unlinked(cast):
    """An SRO who was once a learner keeps their account; the learner record lets go of it."""
    learner = _withdrawn_learner(cast, withdrawn_at=_years_ago(7), email=cast.sro_b.email)
    Learner.objects.filter(pk=learner.pk).update(user=cast.sro_b)

    assert services.learners_anonymise_due() == 1

    learner.refresh_from_db()
    cast.sro_b.refresh_from_db()
    assert learner.user is None and learner.full_name == "Anonymised learner"
    assert cast.sro_b.is_active and cast.sro_b.email == "sro@b.test"
    assert cast.sro_b.has_usable_password()


def test_the_staff_page_says_the_learner_was_anonymised(client, cast, gone):
    services.learners_anonymise_due()
    client.force_login(cast.staff)
    page = client.get(reverse("learners:detail", args=[gone.pk])).text
    assert "Anonymised learner" in page
    assert "personal data was removed" in page
    assert "anonymised.invalid" not in page
    assert "subject access request" not in page


def test_council_reports_that_named_the_learner_are_built_again_without_them(
    cast, gone, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A council report lists every learner who had joined by its day: those built while the
    learner was on the programme, or since, named them. They are built again, from the
    anonymised record, with the same figures; a report from before they joined, and another
    council's, are left as they were."""
    import io

    from pypdf import PdfReader

    from cmpp.reports import services as reports
    from cmpp.reports.models import ProgressReport

    settings.MEDIA_ROOT = tmp_path

    def built(council, as_at):
        report = ProgressReport.objects.create(
            kind=ProgressReport.Kind.COUNCIL, council=council, as_at=as_at
        )
        return reports.report_build(report_id=report.pk)

    def text(report):
        report.refresh_from_db()
        pdf = PdfReader(io.BytesIO(report.file.read()))
        return "\n".join(page.extract_text() for page in pdf.pages) + report.data.read().decode()

    while_there = built(cast.council_a, timezone.localdate(_years_ago(7, days=100)))
    lately = built(cast.council_a, timezone.localdate())
    before_joining = built(cast.council_a, timezone.localdate(_years_ago(9)))
    elsewhere = built(cast.council_b, timezone.localdate())
    assert "Marrowfieldqx" in text(while_there) and "Marrowfieldqx" in text(lately)
    untouched = {r.pk: r.file.name for r in (before_joining, elsewhere)}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.learners_anonymise_due() == 1
    assert callbacks  # the reports were queued after the commit, not before

    for report in (while_there, lately):
        report.refresh_from_db()
        assert report.status == ProgressReport.Status.READY
        assert "Marrowfieldqx" not in text(report) and "Quillonbe" not in text(report)
        assert "Anonymised" in text(report)
    for report in (before_joining, elsewhere):
        report.refresh_from_db()
        assert report.status == ProgressReport.Status.READY
        assert report.file.name == untouched[report.pk]


def test_a_report_being_built_as_the_learner_is_anonymised_is_built_again_without_them(
    cast, gone, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """The build read the learner's name before the anonymisation committed: it must not be
    stored as the report. The run throws its files away and the report is built again."""
    import io

    from pypdf import PdfReader

    from cmpp.reports import services as reports
    from cmpp.reports.models import ProgressReport

    settings.MEDIA_ROOT = tmp_path
    report = ProgressReport.objects.create(
        kind=ProgressReport.Kind.COUNCIL, council=cast.council_a, as_at=timezone.localdate()
    )
    drawn = []
    render = reports.report_render

    def render_then_anonymise(report):
        rendered = render(report)
        drawn.append(rendered)
        if len(drawn) == 1:
            with django_capture_on_commit_callbacks(execute=True):
                assert services.learners_anonymise_due() == 1
        return rendered

    monkeypatch.setattr(reports, "report_render", render_then_anonymise)
    reports.report_build(report_id=report.pk)

    assert len(drawn) == 2  # the first run's drawing, then the build queued again
    assert b"Marrowfieldqx" in drawn[0].csv
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report.file.read())).pages)
    assert "Marrowfieldqx" not in text + report.data.read().decode()
    # Only the report's own two files are left: the first run's were thrown away.
    assert sorted(p.name for p in (tmp_path / "reports").rglob("*.*")) == sorted(
        name.rsplit("/", 1)[-1] for name in (report.file.name, report.data.name)
    )


def test_an_email_to_someone_else_keeps_everything_but_the_learners_name(cast, gone):
    services.learners_anonymise_due()
    digest = OutboundEmail.objects.get(purpose=OutboundEmail.Purpose.AT_RISK_DIGEST)
    assert digest.to_email == cast.sro_a.email
    assert digest.body_text == (
        "- Anonymised learner, last progress: 1 March 2019\n- Ada Lovelace, no steps"
    )
