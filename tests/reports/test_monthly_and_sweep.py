"""The monthly programme reports: one per managing body and month however often the schedule
runs, and an email to that body's staff once each when it is ready; and the sweep that fails a
report stuck building and queues again one the broker never took."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone
from kombu.exceptions import OperationalError

from cmpp.accounts.models import StaffMembership
from cmpp.reports import services
from cmpp.reports.models import ProgressReport
from cmpp.reports.printing import RenderedReport
from cmpp.reports.tasks import report_build_task
from tests import factories

pytestmark = pytest.mark.django_db

STUCK_WORDS = "The report took longer than 10 minutes to build and was stopped. Try again."


@pytest.fixture
def bodies(cast, settings, tmp_path, monkeypatch):
    """DLUHC manages councils A and B (the cast's); Local Partnerships manages Lowshire. Each has
    its programme staff; DLUHC also has a viewer. What a report says is tested with the PDF in
    test_progress_reports.py; here a build draws a stand-in."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(
        services,
        "report_render",
        lambda report: RenderedReport(pdf=b"%PDF-1.7 test", pages=2, csv=b"Figure\r\n"),
    )
    dluhc, lp = factories.organisation("dluhc"), factories.organisation("local-partnerships")
    factories.CouncilFactory(name="Lowshire", managed_by=lp)
    lp_staff = factories.StaffMembershipFactory(user__email="staff@lp.test", organisation=lp).user
    dluhc_viewer = factories.StaffMembershipFactory(
        user__email="viewer@dluhc.test",
        organisation=dluhc,
        role=StaffMembership.Role.PROGRAMME_VIEWER,
    ).user
    return dluhc, lp, lp_staff, dluhc_viewer


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and what it queues after its commit (the tasks run inline in tests)."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def scheduled_reports():
    return ProgressReport.objects.filter(is_scheduled=True).order_by("organisation__slug")


def test_running_the_schedule_twice_for_a_month_asks_for_one_report_per_body(bodies):
    dluhc, lp, _, _ = bodies
    assert services.reports_monthly(today=date(2027, 1, 1)) == 2
    assert services.reports_monthly(today=date(2027, 1, 1)) == 0
    reports = list(scheduled_reports())
    assert [(r.organisation, r.as_at) for r in reports] == [
        (dluhc, date(2026, 12, 31)),
        (lp, date(2026, 12, 31)),
    ]
    assert all(r.kind == "programme" and r.requested_by is None for r in reports)
    assert ProgressReport.objects.count() == 2


@pytest.mark.parametrize(
    ("today", "as_at"),
    [
        (date(2027, 1, 1), date(2026, 12, 31)),
        (date(2027, 1, 20), date(2026, 12, 31)),
        (date(2028, 3, 1), date(2028, 2, 29)),
        (date(2026, 12, 1), date(2026, 11, 30)),
    ],
)
def test_the_report_is_as_at_the_last_day_of_the_month_before(bodies, today, as_at):
    services.reports_monthly(today=today)
    assert {r.as_at for r in scheduled_reports()} == {as_at}


def test_a_body_that_managed_no_council_that_month_gets_no_report(cast):
    # The cast's councils are all DLUHC's; Local Partnerships manages none.
    assert services.reports_monthly(today=date(2027, 1, 1)) == 1
    assert scheduled_reports().get().organisation.slug == "dluhc"


def test_a_run_that_passed_its_check_as_another_run_inserted_asks_for_nothing(bodies, monkeypatch):
    """Two runs at the same moment both find no report; the database refuses the second
    insert, and the second run goes on without failing."""
    services.reports_monthly(today=date(2027, 1, 1))  # the first run
    monkeypatch.setattr(services, "record_save", lambda instance, **kwargs: instance.save())
    assert services.reports_monthly(today=date(2027, 1, 1)) == 0
    assert scheduled_reports().count() == 2


def test_the_database_holds_one_scheduled_report_per_body_and_date_but_any_number_asked_for(
    bodies,
):
    dluhc, _, _, _ = bodies
    subject = {"kind": "programme", "organisation": dluhc, "as_at": date(2026, 12, 31)}
    ProgressReport.objects.create(**subject)
    ProgressReport.objects.create(**subject)  # two people may ask for the same report
    ProgressReport.objects.create(**subject, is_scheduled=True)
    with pytest.raises(IntegrityError):
        ProgressReport.objects.create(**subject, is_scheduled=True)


def test_each_bodys_staff_are_emailed_once_each_when_its_report_is_ready(cast, bodies, run):
    dluhc, lp, lp_staff, dluhc_viewer = bodies
    inactive = factories.StaffMembershipFactory(
        user__email="left@dluhc.test", user__is_active=False, organisation=dluhc
    ).user
    assert run(services.reports_monthly, today=date(2026, 12, 1)) == 2
    assert {r.status for r in scheduled_reports()} == {"ready"}

    [to_dluhc] = sent_to(cast.staff.email)
    assert to_dluhc.subject == (
        "The programme report for Ministry of Housing, Communities and Local Government "
        "as at 30 November 2026 is ready"
    )
    assert "/reports/" in to_dluhc.body
    assert to_dluhc.attachments == []
    [to_lp] = sent_to(lp_staff.email)
    assert "Local Partnerships" in to_lp.subject and "Ministry" not in to_lp.body
    assert to_lp.attachments == []
    # Not viewers (of the body or elsewhere), SROs, or staff who have left.
    for person in (dluhc_viewer, cast.viewer, cast.sro_a, inactive):
        assert sent_to(person.email) == [], person
    assert len(mail.outbox) == 2

    # Built again (a task delivered twice, a worker killed after the commit), or the schedule
    # run again: nothing is sent twice.
    for report in scheduled_reports():
        run(services.report_build, report_id=report.pk)
        ProgressReport.objects.filter(pk=report.pk).update(status="building")
        run(services.report_build, report_id=report.pk)
    run(services.reports_monthly, today=date(2026, 12, 1))
    assert len(mail.outbox) == 2


def test_the_ready_email_links_to_the_reports_page(cast, bodies, run, settings):
    settings.SITE_URL = "https://cmpp.example.gov.uk"
    run(services.reports_monthly, today=date(2026, 12, 1))
    [email] = sent_to(cast.staff.email)
    assert "https://cmpp.example.gov.uk/reports/" in email.body
    assert ".pdf" not in email.body and "/download/" not in email.body


def test_a_report_someone_asked_for_sends_no_email(cast, bodies, run):
    dluhc, _, _, _ = bodies
    report = run(
        services.report_request,
        organisation=dluhc,
        as_at=date(2026, 11, 30),
        acting_user=cast.staff,
    )
    report.refresh_from_db()
    assert report.status == "ready" and not report.is_scheduled
    assert mail.outbox == []


def a_report(organisation, **fields):
    return ProgressReport.objects.create(
        kind="programme", organisation=organisation, as_at=date(2026, 11, 30), **fields
    )


def test_the_sweep_fails_a_report_stuck_building_in_words_and_staff_can_try_again(
    client, cast, bodies, django_capture_on_commit_callbacks
):
    dluhc, _, _, _ = bodies
    now = timezone.now()
    stuck = a_report(
        dluhc, status="building", started_at=now - timedelta(minutes=12), is_scheduled=True
    )
    running = a_report(dluhc, status="building", started_at=now - timedelta(minutes=9))

    outcome = services.reports_sweep(now=now)
    assert (outcome.failed, outcome.queued) == (1, 0)
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.status == "failed" and stuck.error == STUCK_WORDS
    assert running.status == "building" and running.error == ""

    client.force_login(cast.staff)
    page = client.get("/reports/").text
    assert STUCK_WORDS in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{stuck.pk}/retry/")
    stuck.refresh_from_db()
    assert stuck.status == "ready" and stuck.error == ""
    # A scheduled report tried again tells its staff when it is ready, as on the first try.
    assert [m.to for m in mail.outbox] == [[cast.staff.email]]


def test_a_report_asked_for_while_the_broker_is_down_waits_for_the_sweep(
    client, cast, bodies, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(report_build_task, "delay", broker_down)
    client.force_login(cast.staff)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/",
            {
                "subject": "body:dluhc",
                "as_at_day": today.day,
                "as_at_month": today.month,
                "as_at_year": today.year,
            },
            follow=True,
        )
    assert "is being built" in response.text
    assert ProgressReport.objects.get().status == "queued"


def test_the_sweep_queues_again_a_report_the_broker_never_took(cast, bodies, run, monkeypatch):
    dluhc, _, _, _ = bodies
    now = timezone.now()
    waiting = a_report(dluhc)
    recent = a_report(dluhc)
    ProgressReport.objects.filter(pk=waiting.pk).update(updated_at=now - timedelta(minutes=20))
    ProgressReport.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(minutes=5))

    # The broker is still down at the first sweep: the report stays queued, its clock restarted,
    # so the next sweep five minutes later leaves it alone.
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    with monkeypatch.context() as patch:
        patch.setattr(report_build_task, "delay", broker_down)
        assert run(services.reports_sweep, now=now).queued == 1
        assert ProgressReport.objects.get(pk=waiting.pk).status == "queued"
        assert run(services.reports_sweep, now=now + timedelta(minutes=5)).queued == 0

    # The broker is back: the next sweep after 15 minutes queues it, and it is built.
    outcome = run(services.reports_sweep, now=now + timedelta(minutes=16))
    assert outcome.queued == 2  # and the recent one, by then waiting 21 minutes too
    assert {r.status for r in ProgressReport.objects.all()} == {"ready"}


def test_the_schedule_and_the_sweep_are_on_the_beat_and_the_reports_queue(settings):
    monthly = settings.CELERY_BEAT_SCHEDULE["reports-monthly"]
    assert monthly["task"] == "cmpp.reports.tasks.reports_monthly_task"
    schedule = monthly["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {6} and schedule.minute == {0}
    assert schedule.month_of_year == set(range(1, 13))
    assert settings.CELERY_TIMEZONE == "Europe/London"
    sweep = settings.CELERY_BEAT_SCHEDULE["reports-sweep"]
    assert sweep["task"] == "cmpp.reports.tasks.reports_sweep_task"
    assert sweep["schedule"].minute == set(range(0, 60, 5)) and len(sweep["schedule"].hour) == 24
    for name in ("report_build_task", "reports_monthly_task", "reports_sweep_task"):
        assert settings.CELERY_TASK_ROUTES[f"cmpp.reports.tasks.{name}"] == {"queue": "reports"}
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_the_tasks_call_their_services(bodies):
    from cmpp.reports import tasks

    # As at the end of last month: both bodies have managed their councils since 2022.
    assert tasks.reports_monthly_task.apply().get() == 2
    assert tasks.reports_sweep_task.apply().get() == {"failed": 0, "queued": 0}


def test_a_killed_worker_starting_again_builds_what_it_left_building(bodies, run):
    dluhc, _, _, _ = bodies
    now = timezone.now()
    orphaned = a_report(dluhc, status="building", started_at=now, built_by="celery@worker-1")
    # Another worker's report is still being built by it; a built report is left as it is.
    elsewhere = a_report(dluhc, status="building", started_at=now, built_by="celery@worker-2")
    done = a_report(dluhc, status="ready", built_by="celery@worker-1")

    assert run(services.reports_resume, worker="celery@worker-1") == 1

    statuses = dict(ProgressReport.objects.values_list("pk", "status"))
    assert statuses == {orphaned.pk: "ready", elsewhere.pk: "building", done.pk: "ready"}
    assert ProgressReport.objects.get(pk=orphaned.pk).pages == 2
    assert run(services.reports_resume, worker="") == 0


def test_the_build_task_notes_the_worker_building_the_report(bodies):
    dluhc, _, _, _ = bodies
    report = a_report(dluhc)
    report_build_task.push_request(hostname="celery@worker-1")
    try:
        report_build_task.run(report.pk)
    finally:
        report_build_task.pop_request()
    report.refresh_from_db()
    assert (report.status, report.built_by) == ("ready", "celery@worker-1")


def test_a_worker_taking_the_reports_queue_resumes_its_reports_as_it_starts(bodies, monkeypatch):
    from types import SimpleNamespace

    from cmpp.reports import tasks

    resumed = []
    monkeypatch.setattr(services, "reports_resume", lambda worker: resumed.append(worker))

    def consumer(hostname, *queues):
        task_consumer = SimpleNamespace(queues=[SimpleNamespace(name=name) for name in queues])
        return SimpleNamespace(hostname=hostname, task_consumer=task_consumer)

    tasks.on_worker_ready(consumer("celery@emails-only", "emails"))
    tasks.on_worker_ready(consumer("celery@both", "emails", "reports"))
    assert resumed == ["celery@both"]
